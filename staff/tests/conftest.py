"""Fixtures of the staff-operations tests: courses, payments and a Django test client per role."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.test import Client
from django.utils import timezone
from model_bakery import baker


@pytest.fixture
def course_factory(request):
    def make(**kwargs):
        if "instructor" not in kwargs:
            kwargs["instructor"] = request.getfixturevalue("instructor")
        kwargs.setdefault("status", "published")
        return baker.make("catalog.Course", **kwargs)

    return make


@pytest.fixture
def payment_factory(make_user):
    """A payment by a fresh student (one owned payment per learner and course is a DB constraint)."""

    def make(*, course, amount: int, status: str = "paid", user=None, paid_at=None, **kwargs):
        captured = status in ("paid", "refund_pending", "refunded")
        return baker.make(
            "billing.Payment",
            user=user or make_user("student"),
            course=course,
            amount=amount,
            currency="INR",
            status=status,
            paid_at=paid_at or (timezone.now() if captured else None),
            refunded_at=timezone.now() if status == "refunded" else None,
            payment_id=f"pay_{uuid.uuid4().hex[:14]}" if captured else "",
            **kwargs,
        )

    return make


@pytest.fixture
def browser_for():
    """``browser_for(user)``: a Django test client with ``user`` logged in (``None`` = anonymous)."""

    def make(user=None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


def days_ago(days: int, *, hour: int = 12) -> datetime.datetime:
    """Noon (local time) ``days`` days before today: safely inside that local day."""
    day = timezone.localdate() - datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
