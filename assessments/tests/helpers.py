"""Helpers shared by the assessments tests."""

from __future__ import annotations

from assessments.models import Quiz


def answers_for(quizzes: list[Quiz], correct: int) -> list[dict]:
    """Answers to ``quizzes`` with exactly the first ``correct`` of them right."""
    return [
        {
            "quiz": str(quiz.pk),
            "selected_option": quiz.correct_option if index < correct else (quiz.correct_option + 1) % 4,
        }
        for index, quiz in enumerate(quizzes)
    ]


def json_keys(value) -> set[str]:
    """Every key anywhere in a JSON document."""
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in json_keys(item)}
    if isinstance(value, list):
        return {key for item in value for key in json_keys(item)}
    return set()
