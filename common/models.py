"""Abstract base models: UUID primary keys and timestamps for every table of the project, saved through SQL
compiled once per model (``common.saving``)."""

import uuid

from django.db import models

from common import saving


class UUIDModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True

    # save()'s two statements, with SQL written once per model and columns (common/saving.py).
    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        updated = saving.update(base_qs.model, using=using, pk_val=pk_val, values=values)
        if updated is None:
            return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
        return updated

    def _do_insert(self, manager, using, fields, returning_fields, raw):
        if saving.insert(manager.model, self, using=using, fields=fields, returning_fields=returning_fields, raw=raw):
            return []
        return super()._do_insert(manager, using, fields, returning_fields, raw)


class TimeStampedModel(UUIDModel):
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
