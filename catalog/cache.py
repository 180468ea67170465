"""When the catalog's cached public reads change (common.http_cache).

One version scope covers the catalogue, course details and curricula: a course, module, lesson or domain
written through any door (services, the Django admin, a shell ``save()``) and an instructor's new name
bump it once the transaction commits, through the model signals connected in ``CatalogConfig.ready()``.
Writes that bypass ``save()`` call ``catalogue_changed`` themselves (position renumbering, a module's quiz
question count). Enrollment counts (``learner_count``, the ``popular`` ordering) move by ``F()`` updates
and bump nothing: they are up to ``CATALOGUE_CACHE_SECONDS`` old.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models.signals import post_delete, post_save

from catalog.models import Course, Domain, Lesson, Module
from common.http_cache import scope_register, version_bump

CATALOGUE_SCOPE = scope_register("catalogue")
# How old a cached catalogue page, course or curriculum may be (enrollment counts; writes without save()).
CATALOGUE_CACHE_SECONDS = 60


def catalogue_changed() -> None:
    version_bump(CATALOGUE_SCOPE)


def _content_saved(sender, **kwargs) -> None:
    catalogue_changed()


def _user_saved(sender, instance, created: bool = False, update_fields=None, **kwargs) -> None:
    # A new account owns no course yet; sign-ins save only last_login.
    if not created and (update_fields is None or "full_name" in update_fields):
        catalogue_changed()


def receivers_connect() -> None:
    for model in (Course, Module, Lesson, Domain):
        post_save.connect(_content_saved, sender=model, dispatch_uid=f"catalogue-cache-save-{model.__name__}")
        post_delete.connect(_content_saved, sender=model, dispatch_uid=f"catalogue-cache-delete-{model.__name__}")
    post_save.connect(_user_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="catalogue-cache-user")
