"""The submit's answer is built from the attempt it has just judged: byte for byte what reading it back gives."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import transaction
from model_bakery import baker
from rest_framework.renderers import JSONRenderer

from assessments import selectors
from assessments.models import Quiz, QuizAttempt
from assessments.selectors import quiz_attempt_get
from assessments.serializers import QuizAttemptSubmittedSerializer
from assessments.tests.test_api_attempt_flow import NOW, detail, right_answers, start, submit, wrong_answers
from catalog.models import Enrollment, Lesson, Module

pytestmark = pytest.mark.django_db


def _read_back(user, attempt_id, first_pass: bool) -> bytes:
    attempt = quiz_attempt_get(user=user, attempt_id=attempt_id)
    attempt.first_pass = first_pass
    return JSONRenderer().render(QuizAttemptSubmittedSerializer(attempt).data)


@pytest.mark.parametrize(
    "reveal", [Module.Reveal.IMMEDIATELY, Module.Reveal.AFTER_PASS, Module.Reveal.AFTER_LAST_ATTEMPT, "never"]
)
@pytest.mark.parametrize("outcome", ["pass", "fail", "pass_after_a_fail"])
@pytest.mark.parametrize("shuffled", [False, True])
def test_the_answer_is_the_attempt_read_back(client_for, enrolled, module, make_quizzes, reveal, outcome, shuffled):
    # given a module of 5 questions (one multiple choice with partial credit), drawing 4, with the policy
    quizzes = make_quizzes(module, 5)
    Quiz.objects.filter(pk=quizzes[0].pk).update(
        type=Quiz.Type.MULTIPLE, correct_options=[0, 2], correct_option=0, partial_credit=True
    )
    module.reveal, module.max_attempts, module.questions_per_attempt = reveal, 3, 4
    module.shuffle_options = shuffled
    module.save()
    client = client_for(enrolled)
    if outcome == "pass_after_a_fail":
        failed = start(client, module).json()
        submit(client, failed["id"], wrong_answers(failed))
    body = start(client, module).json()
    answers = wrong_answers(body) if outcome == "fail" else right_answers(body)
    # some answers saved before (the last one), the rest sent with the submit in reverse order
    client.patch(detail(body["id"]), {"answers": answers[-1:]}, format="json")

    # when it is submitted
    response = submit(client, body["id"], list(reversed(answers[:-1])))

    # then the answer is byte-identical to the attempt read back after the commit
    assert response.status_code == 200
    assert response.content == _read_back(enrolled, body["id"], response.json()["first_pass"])
    assert len(response.json()["answers"]) == 4


def test_an_expired_attempt_answers_as_read_back(client_for, enrolled, module, make_quizzes):
    # given a timed attempt with one saved answer, submitted after its deadline and grace
    make_quizzes(module, 3)
    module.time_limit_seconds, module.reveal = 60, Module.Reveal.IMMEDIATELY
    module.save()
    client = client_for(enrolled)
    with time_machine.travel(NOW, tick=False) as clock:
        body = start(client, module).json()
        client.patch(detail(body["id"]), {"answers": right_answers(body)[:1]}, format="json")
        clock.shift(datetime.timedelta(minutes=5))
        response = submit(client, body["id"], right_answers(body))

    assert response.status_code == 200 and response.json()["status"] == "expired"
    assert response.content == _read_back(enrolled, body["id"], response.json()["first_pass"])


def _columns(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def test_compiled_submission_reads_are_the_querysets(client_for, enrolled, other_student, module, make_quizzes):
    # given an attempt of the learner's
    make_quizzes(module, 3)
    body = start(client_for(enrolled), module).json()
    expected = QuizAttempt.objects.select_related("module").get(pk=body["id"])
    enrollment = Enrollment.objects.get(user=enrolled, course=module.course_id)
    # then each compiled read finds what its queryset finds
    with transaction.atomic():
        found = selectors.attempt_with_module_locked_get(user=enrolled, attempt_id=body["id"])
        assert _columns(found) == _columns(expected) and _columns(found.module) == _columns(expected.module)
        assert _columns(selectors.attempt_locked_get(user=enrolled, attempt_id=body["id"])) == _columns(expected)
        locked = selectors.attempt_enrollment_locked_get(user=enrolled, attempt_id=body["id"])
        assert _columns(locked) == _columns(enrollment)
        assert locked.total_lessons == Lesson.objects.filter(module__course=module.course_id).count()
    assert [quiz.position for quiz in selectors.module_questions(module_id=module.pk)] == [1, 2, 3]
    assert selectors.attempts_since_count(user=enrolled, module_id=module.pk, since=expected.created_at) == 1
    later = expected.created_at + datetime.timedelta(microseconds=1)
    assert selectors.attempts_since_count(user=enrolled, module_id=module.pk, since=later) == 0
    # and nobody else finds it, nor their own enrollment in that course through it
    baker.make(Enrollment, user=other_student, course_id=module.course_id, source="free")
    with transaction.atomic():
        assert selectors.attempt_with_module_locked_get(user=other_student, attempt_id=body["id"]) is None
        assert selectors.attempt_locked_get(user=other_student, attempt_id=body["id"]) is None
        assert selectors.attempt_enrollment_locked_get(user=other_student, attempt_id=body["id"]) is None


@pytest.mark.parametrize("count", [0, 1, 4])
def test_drawn_questions_are_the_querysets(count, enrolled, module, make_quizzes, django_assert_num_queries):
    # given an attempt that drew ``count`` questions, one of which was deleted since (when there is one)
    quizzes = make_quizzes(module, 5)
    attempt = QuizAttempt(user=enrolled, module=module, total=count, pass_mark=50)
    attempt.draw = [{"quiz": str(quiz.pk), "order": [0, 1, 2, 3]} for quiz in reversed(quizzes[:count])]
    if count:
        Quiz.objects.filter(pk=quizzes[0].pk).delete()
    expected = list(Quiz.objects.filter(pk__in=[item["quiz"] for item in attempt.draw]))
    # then the compiled read finds the same questions in the same order, and an empty draw reads nothing
    with django_assert_num_queries(1 if count else 0):
        found = selectors.drawn_questions(attempt)
    assert [_columns(quiz) for quiz in found] == [_columns(quiz) for quiz in expected]
    assert len(found) == max(count - 1, 0)
