"""Reads on users."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User


def users_for_admin() -> QuerySet[User]:
    # The domain is shown on every row: joined, never one query per user.
    return User.objects.select_related("domain").order_by("-created_at", "id")


def user_with_domain(*, user: User) -> User:
    return User.objects.select_related("domain").get(pk=user.pk)
