"""The catalog owns module-quiz progress: assessments reports question counts and passes to it."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from model_bakery import baker

from assessments import services
from assessments.tests.helpers import answers_for
from catalog.models import Module, ModuleQuizPass


def answers(quizzes, correct: int) -> list[dict]:
    return [{**answer, "quiz": quiz.pk} for quiz, answer in zip(quizzes, answers_for(quizzes, correct), strict=True)]


fill_migration = importlib.import_module("assessments.migrations.0004_catalog_owns_module_quiz_progress")


def test_question_count_follows_creates_and_deletes(module, make_quizzes, instructor):
    quizzes = make_quizzes(module, 3)
    assert Module.objects.get(pk=module.pk).quiz_question_count == 3

    services.quiz_delete(quiz=quizzes[0], actor=instructor)

    assert Module.objects.get(pk=module.pk).quiz_question_count == 2


def test_first_pass_is_recorded_once(enrolled, module, make_quizzes):
    quizzes = make_quizzes(module, 2)
    for _ in range(2):
        services.quiz_attempt_submit(user=enrolled, module=module, answers=answers(quizzes, 2))

    (record,) = ModuleQuizPass.objects.filter(user=enrolled)
    assert (record.module_id, record.course_id) == (module.pk, module.course_id)


def test_data_migration_rebuilds_counts_and_first_passes(enrolled, course, module, make_quizzes):
    # given two modules with questions, one failed and two passed attempts at the first
    quizzes = make_quizzes(module, 2)
    other = baker.make("catalog.Module", course=course, position=2)
    make_quizzes(other, 1)
    services.quiz_attempt_submit(user=enrolled, module=module, answers=answers(quizzes, 0))
    first = services.quiz_attempt_submit(user=enrolled, module=module, answers=answers(quizzes, 2))
    services.quiz_attempt_submit(user=enrolled, module=module, answers=answers(quizzes, 2))
    # and the catalog's columns lost (as before the migration)
    ModuleQuizPass.objects.all().delete()
    Module.objects.update(quiz_question_count=0)

    # when the data migration runs
    fill_migration.fill(apps, None)

    # then the counts and the single first pass are back
    assert dict(Module.objects.values_list("pk", "quiz_question_count")) == {module.pk: 2, other.pk: 1}
    (record,) = ModuleQuizPass.objects.all()
    assert (record.user_id, record.module_id, record.passed_at) == (enrolled.pk, module.pk, first.created_at)


@pytest.mark.parametrize("path", ["catalog/services.py", "catalog/selectors.py", "catalog/models.py"])
def test_catalog_does_not_import_assessments(path):
    from pathlib import Path

    from django.conf import settings

    assert "assessments" not in (Path(settings.BASE_DIR) / path).read_text()
