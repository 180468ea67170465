"""A progress recount lost with the broker is redone by upkeep (issue #15.12)."""

from __future__ import annotations

import pytest

from catalog.models import Enrollment
from catalog.selectors import courses_with_stale_progress
from catalog.services import lesson_complete, lesson_create
from catalog.tasks import course_progress_upkeep
from catalog.tests.conftest import lessons_of
from common.tests.broker import celery_broker_unreachable

pytestmark = pytest.mark.django_db(transaction=True)


def test_lesson_added_with_the_broker_down_is_recounted_by_upkeep(student, course, enroll):
    # given a learner who completed 2 of the course's 4 lessons (50 %)
    enroll(student, course)
    for lesson in lessons_of(course)[:2]:
        lesson_complete(user=student, lesson=lesson)
    assert Enrollment.objects.get(user=student).progress_percent == 50
    # when the instructor adds a lesson while the broker is down: the recount is lost, not an error
    module = lessons_of(course)[0].module
    with celery_broker_unreachable():
        lesson_create(module=module, title="Bonus")
    assert Enrollment.objects.get(user=student).progress_percent == 50  # stale: 2 of 5 is 40 %
    assert courses_with_stale_progress() == [course.pk]
    # then the upkeep recounts it once, and the next run finds nothing to do
    assert course_progress_upkeep() == 1
    assert Enrollment.objects.get(user=student).progress_percent == 40
    assert course_progress_upkeep() == 0


def test_consistent_progress_is_left_alone(student, course, enroll):
    enroll(student, course)
    lesson_complete(user=student, lesson=lessons_of(course)[0])
    assert courses_with_stale_progress() == []
    assert course_progress_upkeep() == 0
