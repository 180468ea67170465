"""Write helpers every app's services share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.db import connections, models, router

from common.saving import insert_statement

ModelT = TypeVar("ModelT", bound=models.Model)


def model_update(*, instance: ModelT, fields: Iterable[str], data: Mapping[str, Any]) -> tuple[ModelT, bool]:
    """Set those of ``fields`` that ``data`` carries and differ from ``instance``, and save only them.

    Keys of ``data`` outside ``fields`` are left for the caller (a position, a relation it handles itself).
    Returns the instance and whether a row was written; ``updated_at`` (auto_now) is saved with any change.
    ``instance`` must hold the stored values (re-read it, locked, in the service): a copy that already
    carries the new values, like the object a Django admin form has filled in, would compare equal and
    nothing would be written. A relation is compared by primary key, so an unloaded foreign key costs no
    query. Validation is the caller's (serializers and the service's own rules), as with every other write
    here: no full_clean().
    """
    changed: list[str] = []
    for name in fields:
        if name not in data:
            continue
        field = instance._meta.get_field(name)
        value = data[name]
        compared = value.pk if field.is_relation and isinstance(value, models.Model) else value
        if getattr(instance, field.attname) != compared:
            setattr(instance, name, value)
            changed.append(name)
    if not changed:
        return instance, False
    if any(field.name == "updated_at" for field in instance._meta.concrete_fields):
        changed.append("updated_at")
    instance.save(update_fields=changed)
    return instance, True


def model_insert_if_absent(*, instance: models.Model) -> bool:
    """Insert ``instance`` unless a row with the same unique key exists; True when this call inserted it.

    One ``INSERT … ON CONFLICT DO NOTHING RETURNING`` (PostgreSQL, SQLite ≥ 3.35): no SELECT first, and no
    savepoint around an insert expected to fail, so the caller's transaction is never marked broken and a
    concurrent insert of the same key is settled by the unique constraint, not by a race. ``instance``'s
    primary key must be set before the call (every UUID model here defaults one); its ``auto_now_add``
    fields are filled in as ``save()`` would.
    """
    meta = instance._meta
    connection = connections[router.db_for_write(type(instance), instance=instance)]
    fields = meta.local_concrete_fields
    values = [field.get_db_prep_save(field.pre_save(instance, add=True), connection) for field in fields]
    returning = connection.ops.quote_name(meta.pk.column)
    sql = f"{insert_statement(type(instance), connection, fields)} ON CONFLICT DO NOTHING RETURNING {returning}"
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        inserted = cursor.fetchone() is not None
    instance._state.adding = not inserted
    instance._state.db = connection.alias
    return inserted
