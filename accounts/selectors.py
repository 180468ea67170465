"""Reads on users."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from accounts.representations import ME_ROW_FIELDS


def users_for_admin() -> QuerySet[User]:
    # The domain is shown on every row: joined, never one query per user.
    return User.objects.select_related("domain").order_by("-created_at", "id")


def me_row(*, user: User) -> dict:
    """The signed-in user's profile as one flat row (shaped by ``accounts.representations.me_representation``)."""
    return User.objects.filter(pk=user.pk).values(*ME_ROW_FIELDS).get()


def user_with_domain(*, user: User) -> User:
    return User.objects.select_related("domain").get(pk=user.pk)
