"""The quiz writes' representations write exactly the bytes of the serializers they stand in for."""

from __future__ import annotations

import pytest
from django.test import override_settings
from rest_framework.renderers import JSONRenderer

from assessments import services
from assessments.models import Quiz
from assessments.representations import attempt_result_representation, attempt_submitted_representation
from assessments.selectors import quiz_attempt_get
from assessments.serializers import QuizAttemptResultSerializer, QuizAttemptSubmittedSerializer
from catalog.models import Module

pytestmark = pytest.mark.django_db


def _same(fast: dict, serializer_class, attempt) -> None:
    assert JSONRenderer().render(fast) == JSONRenderer().render(serializer_class(attempt).data)


@pytest.mark.parametrize("time_zone", ["Asia/Kolkata", "UTC"])
@pytest.mark.parametrize("reveal", [choice for choice, _label in Module.Reveal.choices])
@pytest.mark.parametrize("right", [True, False])
def test_judged_attempts_render_as_the_serializers_do(time_zone, reveal, right, enrolled, module, make_quizzes):
    # given a module of 3 questions (one multiple choice with partial credit) and its reveal policy
    quizzes = make_quizzes(module, 3)
    Quiz.objects.filter(pk=quizzes[0].pk).update(
        type=Quiz.Type.MULTIPLE, correct_options=[0, 2], correct_option=0, partial_credit=True
    )
    module.reveal, module.max_attempts = reveal, 2
    module.save()
    answers = [
        {"quiz": quiz.pk, "selected_options": [0] if index == 0 else [quiz.correct_option if right else 3]}
        for index, quiz in enumerate(Quiz.objects.filter(module=module).order_by("position"))
    ]
    with override_settings(TIME_ZONE=time_zone):
        # when it is judged in one call, the answer held in memory
        judged = services.quiz_attempt_submit(user=enrolled, module=module, answers=answers)
        # then both shapes render as their serializers, the one-call's and the submit's
        _same(attempt_result_representation(judged), QuizAttemptResultSerializer, judged)
        judged.shown_questions = quiz_attempt_get(user=enrolled, attempt_id=judged.pk).shown_questions
        _same(attempt_submitted_representation(judged), QuizAttemptSubmittedSerializer, judged)
        # and an attempt read back renders the same way too
        read = quiz_attempt_get(user=enrolled, attempt_id=judged.pk)
        read.first_pass = judged.first_pass
        _same(attempt_result_representation(read), QuizAttemptResultSerializer, read)
        _same(attempt_submitted_representation(read), QuizAttemptSubmittedSerializer, read)
    assert judged.passed is right


def test_the_one_call_answer_is_the_attempt_read_back(client_for, enrolled, module, make_quizzes):
    make_quizzes(module, 2)
    quizzes = Quiz.objects.filter(module=module).order_by("position")
    body = {"answers": [{"quiz": str(quiz.pk), "selected_option": quiz.correct_option} for quiz in quizzes]}
    response = client_for(enrolled).post(f"/api/modules/{module.pk}/quiz-attempts/", body, format="json")
    assert response.status_code == 201
    read = quiz_attempt_get(user=enrolled, attempt_id=response.json()["id"])
    read.first_pass = response.json()["first_pass"]
    assert response.content == JSONRenderer().render(QuizAttemptResultSerializer(read).data)
