"""Catalog fixtures: a domain, courses in each status, and a helper that builds a whole curriculum."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.utils import timezone
from model_bakery import baker

from catalog.models import Course, Enrollment, Lesson, Module
from catalog.signals import course_completed


@pytest.fixture
def domain(db):
    return baker.make("catalog.Domain", name="Web Development", slug="web-development")


@pytest.fixture
def make_course(db, domain, instructor):
    """``make_course(status=..., price=..., modules=2, lessons=3)`` builds a course with its curriculum."""

    def make(*, owner=None, status=Course.Status.PUBLISHED, price=Decimal("0.00"), modules=0, lessons=0, **kw):
        course = baker.make(
            "catalog.Course",
            instructor=owner or instructor,
            domain=kw.pop("domain", domain),
            status=status,
            price=price,
            published_at=timezone.now() if status == Course.Status.PUBLISHED else None,
            **kw,
        )
        for m in range(1, modules + 1):
            module = baker.make(Module, course=course, position=m, title=f"Module {m}")
            for lp in range(1, lessons + 1):
                baker.make(
                    Lesson,
                    module=module,
                    position=lp,
                    title=f"Lesson {m}.{lp}",
                    video_url=f"https://video.example.com/{m}-{lp}",
                    duration_seconds=60,
                )
        return course

    return make


@pytest.fixture
def course(make_course):
    """A published free course with 2 modules of 2 lessons."""
    return make_course(title="Python Basics", modules=2, lessons=2)


@pytest.fixture
def enroll():
    def make(user, course, **kw):
        enrollment = baker.make(Enrollment, user=user, course=course, source=Enrollment.Source.FREE, **kw)
        Course.objects.filter(pk=course.pk).update(learner_count=course.enrollments.filter(status="active").count())
        return enrollment

    return make


def lessons_of(course) -> list[Lesson]:
    return list(Lesson.objects.filter(module__course=course).order_by("module__position", "position"))


@pytest.fixture
def completions():
    """Every ``course_completed`` event sent during the test, as (user id, course id); thread-safe."""
    fired = []
    lock = threading.Lock()

    def receiver(sender, user, course, enrollment, **kwargs):
        with lock:
            fired.append((user.pk, course.pk))

    course_completed.connect(receiver, dispatch_uid="catalog-test-completions")
    yield fired
    course_completed.disconnect(dispatch_uid="catalog-test-completions")
