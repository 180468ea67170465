"""Django admin of assessments: pages render, writes go through the services, history is read-only."""

from __future__ import annotations

import pytest
from django.test import Client

from assessments.models import Quiz, QuizAttempt
from assessments.tests.helpers import answers_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def test_changelists_render(admin_client_, client_for, enrolled, module, make_quizzes):
    quizzes = make_quizzes(module, 2)
    client_for(enrolled).post(
        f"/api/modules/{module.pk}/quiz-attempts/", {"answers": answers_for(quizzes, 1)}, format="json"
    )
    attempt = QuizAttempt.objects.get()

    assert admin_client_.get("/admin/assessments/quiz/").status_code == 200
    assert admin_client_.get("/admin/assessments/quizattempt/").status_code == 200
    page = admin_client_.get(f"/admin/assessments/quizattempt/{attempt.pk}/change/")
    assert page.status_code == 200
    assert b"Question 1?" in page.content


def test_admin_add_appends_through_the_service(admin_client_, module, make_quizzes):
    make_quizzes(module, 2)

    response = admin_client_.post(
        "/admin/assessments/quiz/add/",
        {
            "module": str(module.pk),
            "question": "New?",
            "options": '["x", "y"]',
            "correct_option": "1",
            "explanation": "",
        },
    )

    assert response.status_code == 302
    assert Quiz.objects.get(question="New?").position == 3


def test_admin_add_rejects_bad_options(admin_client_, module):
    response = admin_client_.post(
        "/admin/assessments/quiz/add/",
        {"module": str(module.pk), "question": "New?", "options": '["x"]', "correct_option": "0", "explanation": ""},
    )

    assert response.status_code == 200
    assert not Quiz.objects.exists()


def test_attempts_cannot_be_added_or_deleted(admin_client_):
    assert admin_client_.get("/admin/assessments/quizattempt/add/").status_code == 403


def test_quiz_inline_formset_saves_through_the_services(module, make_quizzes):
    # given the inline's formset on a module with three questions
    from django.forms.models import inlineformset_factory

    from assessments.admin import QuizInline, QuizInlineFormSet
    from catalog.models import Module

    quizzes = make_quizzes(module, 3)
    formset_class = inlineformset_factory(
        Module,
        Quiz,
        formset=QuizInlineFormSet,
        fields=[f for f in QuizInline.fields if f != "position"],
        extra=1,
        can_delete=True,
    )
    data = {"quizzes-TOTAL_FORMS": "4", "quizzes-INITIAL_FORMS": "3"}
    for index, quiz in enumerate(quizzes):
        data.update(
            {
                f"quizzes-{index}-id": str(quiz.pk),
                f"quizzes-{index}-question": quiz.question,
                f"quizzes-{index}-options": '["A", "B", "C", "D"]',
                f"quizzes-{index}-correct_option": str(quiz.correct_option),
                f"quizzes-{index}-explanation": "",
            }
        )
    # when the first is deleted and one is added
    data["quizzes-0-DELETE"] = "on"
    data.update(
        {
            "quizzes-3-question": "Added?",
            "quizzes-3-options": '["y", "n"]',
            "quizzes-3-correct_option": "0",
            "quizzes-3-explanation": "",
        }
    )
    formset = formset_class(data, instance=module, prefix="quizzes")
    assert formset.is_valid(), formset.errors
    formset.save()

    # then positions are closed up and the new one is appended
    assert list(Quiz.objects.filter(module=module).order_by("position").values_list("question", "position")) == [
        ("Question 2?", 1),
        ("Question 3?", 2),
        ("Added?", 3),
    ]


def test_quiz_inline_rejects_bad_options(module):
    from django.forms.models import inlineformset_factory

    from assessments.admin import QuizInline, QuizInlineFormSet
    from catalog.models import Module

    formset_class = inlineformset_factory(
        Module, Quiz, formset=QuizInlineFormSet, fields=[f for f in QuizInline.fields if f != "position"], extra=1
    )
    data = {
        "quizzes-TOTAL_FORMS": "1",
        "quizzes-INITIAL_FORMS": "0",
        "quizzes-0-question": "Q?",
        "quizzes-0-options": '["same", "same"]',
        "quizzes-0-correct_option": "0",
        "quizzes-0-explanation": "",
    }

    formset = formset_class(data, instance=module, prefix="quizzes")

    assert not formset.is_valid()
    assert "options" in formset.errors[0]
