"""assessments.services and selectors, below the HTTP layer."""

from __future__ import annotations

import pytest
from model_bakery import baker

from assessments import services
from assessments.models import Quiz, QuizAttempt
from assessments.selectors import unpassed_quiz_module_ids
from assessments.tests.helpers import answers_for
from common.exceptions import ApplicationError

pytestmark = pytest.mark.django_db


def positions(module) -> list[int]:
    return list(Quiz.objects.filter(module=module).order_by("position").values_list("position", flat=True))


def test_positions_stay_gap_free_through_every_write(module, instructor):
    # given questions created, inserted, moved and deleted
    first = services.quiz_create(module=module, question="1", options=["a", "b"], correct_option=0)
    second = services.quiz_create(module=module, question="2", options=["a", "b"], correct_option=0)
    inserted = services.quiz_create(module=module, question="0", options=["a", "b"], correct_option=0, position=1)
    services.quiz_update(quiz=second, data={"position": 1})
    services.quiz_delete(quiz=first, actor=instructor)

    # then positions are exactly 1..n in the expected order
    assert positions(module) == [1, 2]
    assert list(Quiz.objects.filter(module=module).order_by("position").values_list("pk", flat=True)) == [
        second.pk,
        inserted.pk,
    ]


def test_positions_of_other_modules_are_untouched(course, module, make_quizzes):
    other = baker.make("catalog.Module", course=course, position=2)
    make_quizzes(other, 2)
    quizzes = make_quizzes(module, 2)

    services.quiz_reorder(module=module, quiz_ids=[quizzes[1].pk, quizzes[0].pk])

    assert positions(other) == [1, 2]
    assert Quiz.objects.get(pk=quizzes[1].pk).position == 1


def test_create_validation_raises_field_errors(module):
    with pytest.raises(ApplicationError) as caught:
        services.quiz_create(module=module, question="?", options=["a", "a"], correct_option=5)

    # the index is only judged against a valid list of options
    assert set(caught.value.errors) == {"options"}
    assert not Quiz.objects.exists()


def test_model_clean_applies_the_same_rules(module):
    from django.core.exceptions import ValidationError

    quiz = Quiz(module=module, question="?", options=["a"], correct_option=0, position=1)

    with pytest.raises(ValidationError) as caught:
        quiz.clean()

    assert "options" in caught.value.message_dict


def test_unpassed_modules_count_empty_modules_as_passed(enrolled, course, module, make_quizzes):
    # given a module with questions and one without
    quizzes = make_quizzes(module, 1)
    baker.make("catalog.Module", course=course, position=2)

    # then only the module with questions is unpassed until it is passed
    assert unpassed_quiz_module_ids(user=enrolled, course_id=course.pk) == {module.pk}
    services.quiz_attempt_submit(
        user=enrolled,
        module=module,
        answers=[{"quiz": a["quiz"], "selected_option": a["selected_option"]} for a in _uuid_answers(quizzes, 1)],
    )
    assert unpassed_quiz_module_ids(user=enrolled, course_id=course.pk) == set()


def test_attempt_snapshots_pass_mark(enrolled, module, make_quizzes):
    quizzes = make_quizzes(module, 2)
    module.pass_mark = 50

    attempt = services.quiz_attempt_submit(user=enrolled, module=module, answers=_uuid_answers(quizzes, 1))

    stored = QuizAttempt.objects.get(pk=attempt.pk)
    assert (stored.pass_mark, stored.passed, str(stored.percentage)) == (50, True, "50.00")


def _uuid_answers(quizzes, correct: int) -> list[dict]:
    from uuid import UUID

    return [{"quiz": UUID(a["quiz"]), "selected_option": a["selected_option"]} for a in answers_for(quizzes, correct)]
