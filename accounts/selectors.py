"""Reads on users."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.db.models.query import MAX_GET_RESULTS

from accounts.models import User
from accounts.representations import ME_ROW_FIELDS
from common.precompiled import PrecompiledQuery, get_one

# me_row's SQL, compiled once (common.precompiled): ``.values(...).get()`` of the user's row.
_ME_ROW = PrecompiledQuery(
    lambda pk: User.objects.filter(pk=pk).values(*ME_ROW_FIELDS).order_by()[:MAX_GET_RESULTS],
    placeholder=uuid.UUID(int=0),
    field=User._meta.pk,
)


def users_for_admin() -> QuerySet[User]:
    # The domain is shown on every row: joined, never one query per user.
    return User.objects.select_related("domain").order_by("-created_at", "id")


def me_row(*, user: User) -> dict:
    """The signed-in user's profile as one flat row (shaped by ``accounts.representations.me_representation``)."""
    return get_one(_ME_ROW.dicts(user.pk, using=_ME_ROW.db_for_read()), User)


def user_with_domain(*, user: User) -> User:
    return User.objects.select_related("domain").get(pk=user.pk)
