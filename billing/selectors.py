"""Reads of billing: a learner's purchase history and the admin payment list."""

from __future__ import annotations

from django.db.models import QuerySet

from billing.models import Payment


def payments_for_user(*, user) -> QuerySet[Payment]:
    return Payment.objects.filter(user=user).select_related("course").order_by("-created_at")


def payments_for_admin() -> QuerySet[Payment]:
    return Payment.objects.with_relations().order_by("-created_at")
