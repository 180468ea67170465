"""A completed course stays complete in the numbers when its instructor adds lessons afterwards."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from catalog import services
from catalog.models import Enrollment
from catalog.tests.conftest import lessons_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def completed(course, student):
    """The student finished every lesson of the course (2 modules x 2 lessons, no quiz)."""
    services.enrollment_grant(user=student, course=course, source="free")
    for lesson in lessons_of(course):
        services.lesson_complete(user=student, lesson=lesson)
    enrollment = Enrollment.objects.get(user=student, course=course)
    assert (enrollment.completed_at is not None, enrollment.progress_percent) == (True, 100)
    return enrollment


def _add_lessons(client, module, count: int, capture) -> None:
    for index in range(count):
        with capture(execute=True):  # the learners' recount runs on commit
            response = client.post("/api/lessons/", {"module": str(module.pk), "title": f"New {index}"}, format="json")
        assert response.status_code == 201


def test_lessons_added_after_completion_keep_100_and_are_reported_as_new(
    client_for, instructor, student, course, completed, django_capture_on_commit_callbacks
):
    # When the instructor adds four lessons to the completed course
    _add_lessons(client_for(instructor), course.modules.first(), 4, django_capture_on_commit_callbacks)

    # Then the learner's course still reads complete, with the new lessons counted apart
    (item,) = client_for(student).get("/api/enrollments/").json()["results"]
    assert item["completed_at"] is not None
    assert (item["percent"], item["completed_lessons"], item["total_lessons"], item["new_lessons"]) == (100, 4, 8, 4)
    detail = client_for(student).get(f"/api/enrollments/{course.pk}/").json()
    assert (detail["percent"], detail["new_lessons"]) == (100, 4)
    assert Enrollment.objects.get(pk=completed.pk).progress_percent == 100


def test_doing_a_new_lesson_counts_it_down(
    client_for, instructor, student, course, completed, django_capture_on_commit_callbacks
):
    # Given two lessons added after completion
    _add_lessons(client_for(instructor), course.modules.first(), 2, django_capture_on_commit_callbacks)
    newest = lessons_of(course)[2]  # module 1 now has lessons 1, 2 and the two new ones

    # When the learner does one of them
    response = client_for(student).post(f"/api/lessons/{newest.pk}/complete/")

    # Then one new lesson is left, and the course is still at 100
    assert response.status_code == 200
    body = response.json()
    assert (body["percent"], body["completed_lessons"], body["total_lessons"], body["new_lessons"]) == (100, 5, 6, 1)


def test_an_unfinished_course_still_drops_when_lessons_are_added(
    client_for, instructor, student, course, django_capture_on_commit_callbacks
):
    # Given a learner halfway through (2 of 4 lessons)
    services.enrollment_grant(user=student, course=course, source="free")
    for lesson in lessons_of(course)[:2]:
        services.lesson_complete(user=student, lesson=lesson)

    # When four lessons are added
    _add_lessons(client_for(instructor), course.modules.first(), 4, django_capture_on_commit_callbacks)

    # Then the percentage is the honest 2 of 8, and nothing is "new" (the course was never completed)
    (item,) = client_for(student).get("/api/enrollments/").json()["results"]
    assert (item["percent"], item["new_lessons"], item["completed_at"]) == (25, 0, None)


def test_the_migration_repairs_completed_enrollments_below_100(completed, make_course, student, enroll):
    # Given a completed enrollment recounted to 50 by the old code, and an unfinished one at 50
    Enrollment.objects.filter(pk=completed.pk).update(progress_percent=50)
    unfinished = enroll(student, make_course(title="Other"), progress_percent=50)
    migration = importlib.import_module("catalog.migrations.0006_completed_enrollments_stay_at_100")

    # When the data migration runs
    migration.completed_enrollments_at_100(django_apps, None)

    # Then only the completed one is back at 100
    assert Enrollment.objects.get(pk=completed.pk).progress_percent == 100
    assert Enrollment.objects.get(pk=unfinished.pk).progress_percent == 50
