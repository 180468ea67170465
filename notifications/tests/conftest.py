"""Notification fixtures: a published course with an enrolled learner, and events delivered at once."""

from __future__ import annotations

import pytest
from model_bakery import baker

from notifications.models import Kind, Notification


@pytest.fixture
def course(instructor):
    return baker.make("catalog.Course", instructor=instructor, status="published", title="Django Basics")


@pytest.fixture
def learner(student, course):
    baker.make("catalog.Enrollment", user=student, course=course, source="free", status="active")
    return student


@pytest.fixture
def make_notification():
    def make(user, *, read: bool = False, **kwargs):
        from django.utils import timezone

        kwargs.setdefault("kind", Kind.CERTIFICATE_ISSUED)
        kwargs.setdefault("title", "Your certificate is ready")
        kwargs.setdefault("in_app", True)
        return baker.make(
            Notification,
            user=user,
            created_at=timezone.now(),
            read_at=timezone.now() if read else None,
            **kwargs,
        )

    return make
