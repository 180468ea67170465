"""Reviews fixtures: a published course by ``instructor`` and learners who may review it."""

from __future__ import annotations

import pytest
from django.utils import timezone
from model_bakery import baker

from catalog.models import Course, Enrollment


@pytest.fixture
def course(db, instructor):
    return baker.make(
        Course,
        title="Python Basics",
        instructor=instructor,
        domain=baker.make("catalog.Domain", slug="web"),
        status=Course.Status.PUBLISHED,
        published_at=timezone.now(),
    )


@pytest.fixture
def learner(make_user, course):
    """``learner(done=1)``: a student enrolled in ``course`` with ``done`` completed lessons."""

    def make(*, done: int = 1, course=course, **kwargs):
        user = make_user("student", **kwargs)
        baker.make(Enrollment, user=user, course=course, source=Enrollment.Source.FREE, completed_lessons=done)
        return user

    return make


@pytest.fixture
def reviewer(learner):
    return learner(full_name="Asha Reviewer")
