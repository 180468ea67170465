"""Race safety on PostgreSQL: first pass exactly once, positions gap-free under concurrent writes."""

from __future__ import annotations

import threading
from uuid import UUID

import pytest
from model_bakery import baker

from assessments import services
from assessments.models import Quiz, QuizAttempt
from assessments.signals import module_quiz_passed
from common.exceptions import RateLimitedError
from tests.support.concurrency import raised, run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_passes_signal_first_pass_once(student, instructor):
    # given an enrolled learner and a one-question quiz
    course = baker.make("catalog.Course", instructor=instructor, status="published")
    module = baker.make("catalog.Module", course=course, position=1)
    baker.make("catalog.Enrollment", user=student, course=course, source="free")
    quiz = Quiz.objects.create(module=module, question="?", options=["a", "b"], correct_option=1, position=1)
    received: list[UUID] = []
    lock = threading.Lock()

    def receiver(sender, attempt, **kwargs):
        with lock:
            received.append(attempt.pk)

    module_quiz_passed.connect(receiver, weak=False)
    try:
        # when six passing attempts arrive at the same moment
        errors = raised(
            run_concurrently(
                lambda: services.quiz_attempt_submit(
                    user=student, module=module, answers=[{"quiz": quiz.pk, "selected_option": 1}]
                ),
                times=6,
            )
        )
    finally:
        module_quiz_passed.disconnect(receiver)

    # then all are stored but only one is the first pass
    assert errors == []
    assert QuizAttempt.objects.filter(passed=True).count() == 6
    assert len(received) == 1


def test_concurrent_creates_keep_positions_gap_free(instructor):
    course = baker.make("catalog.Course", instructor=instructor)
    module = baker.make("catalog.Module", course=course, position=1)

    errors = raised(
        run_concurrently(
            lambda: services.quiz_create(module=module, question="?", options=["a", "b"], correct_option=0, position=1),
            times=6,
        )
    )

    assert errors == []
    assert sorted(Quiz.objects.filter(module=module).values_list("position", flat=True)) == [1, 2, 3, 4, 5, 6]


@pytest.mark.calendar  # attempts a day, in TIME_ZONE
def test_concurrent_limit_is_exact(settings, student, instructor):
    settings.QUIZ_ATTEMPTS_PER_DAY = 3
    course = baker.make("catalog.Course", instructor=instructor, status="published")
    module = baker.make("catalog.Module", course=course, position=1)
    baker.make("catalog.Enrollment", user=student, course=course, source="free")
    quiz = Quiz.objects.create(module=module, question="?", options=["a", "b"], correct_option=1, position=1)

    errors = raised(
        run_concurrently(
            lambda: services.quiz_attempt_submit(
                user=student, module=module, answers=[{"quiz": quiz.pk, "selected_option": 0}]
            ),
            times=6,
        )
    )

    assert len(errors) == 3
    assert all(isinstance(error, RateLimitedError) for error in errors)
    assert QuizAttempt.objects.count() == 3


def test_concurrent_starts_respect_max_attempts(student, instructor):
    # given a module allowing two attempts, one of them already used
    course = baker.make("catalog.Course", instructor=instructor, status="published")
    module = baker.make("catalog.Module", course=course, position=1, max_attempts=2, cooldown_minutes=0)
    baker.make("catalog.Enrollment", user=student, course=course, source="free")
    Quiz.objects.create(module=module, question="?", options=["a", "b"], correct_option=1, position=1)
    used, _ = services.quiz_attempt_start(user=student, module=module)
    services.quiz_attempt_finish(user=student, attempt_id=used.pk, answers=[])

    # when six starts arrive at the same moment
    outcomes = run_concurrently(lambda: services.quiz_attempt_start(user=student, module=module), times=6)

    # then exactly one attempt is created and every caller gets that one
    assert raised(outcomes) == []
    assert {attempt.pk for attempt, _ in outcomes} == {QuizAttempt.objects.exclude(pk=used.pk).get().pk}
    assert sum(created for _, created in outcomes) == 1
    assert QuizAttempt.objects.count() == 2
