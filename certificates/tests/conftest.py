"""Fixtures of the certificates tests: a published one-lesson course and an enrolled learner."""

from __future__ import annotations

import datetime

import pytest
from model_bakery import baker

from catalog.models import Course, Enrollment


@pytest.fixture
def course(instructor):
    return baker.make(
        "catalog.Course",
        title="Python for Data Analysis",
        slug="python-for-data-analysis",
        instructor=instructor,
        status=Course.Status.PUBLISHED,
    )


@pytest.fixture
def lesson(course):
    module = baker.make("catalog.Module", course=course, position=1)
    return baker.make("catalog.Lesson", module=module, position=1, title="The only lesson")


@pytest.fixture
def enroll():
    def make(user, course):
        return baker.make("catalog.Enrollment", user=user, course=course, source=Enrollment.Source.FREE)

    return make


@pytest.fixture
def make_certificate(course):
    """A certificate row without going through issuing (for API and admin tests); numbers are unique."""
    counter = iter(range(1, 10_000))

    def make(user, *, with_file: bool = True, **kwargs):
        from django.core.files.base import ContentFile

        kwargs.setdefault("course", course)
        kwargs.setdefault("certificate_number", f"DCA-2026-{next(counter):06d}")
        kwargs.setdefault("issue_date", datetime.date(2026, 11, 26))
        certificate = baker.make("certificates.Certificate", user=user, **kwargs)
        if with_file:
            certificate.file.save("test.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
        return certificate

    return make
