"""Hot-path representations of a judged attempt, written without building a serializer tree per request.

The quiz writes (the one-call quiz, an attempt's submit) answer with ``QuizAttemptResultSerializer`` and
``QuizAttemptSubmittedSerializer``, which stay the contract: the views document their responses with them, and
``assessments/tests/test_representations.py`` renders both ways and compares the bytes, so a field added to a
serializer and not here fails a test instead of drifting silently.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from assessments.models import QuizAttempt
from assessments.selectors import attempt_reveals
from assessments.serializers import result_view
from common.serializers import datetime_representation

# The serializer's own decimal fields: their rounding and JSON form, exactly.
_POINTS = serializers.DecimalField(max_digits=8, decimal_places=3, coerce_to_string=False)
_PERCENTAGE = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=False)


def _attempt(attempt: QuizAttempt) -> dict[str, Any]:
    """``QuizAttemptSerializer(attempt).data``."""
    if not hasattr(attempt, "revealed"):
        attempt.revealed = attempt_reveals(attempt)
    revealed = attempt.revealed
    orders = {item["quiz"]: item["order"] for item in attempt.draw}
    return {
        "id": str(attempt.pk),
        "module": str(attempt.module_id),
        "status": attempt.status,
        "score": attempt.score,
        "points": _POINTS.to_representation(attempt.points),
        "total": attempt.total,
        "percentage": _PERCENTAGE.to_representation(attempt.percentage),
        "pass_mark": attempt.pass_mark,
        "passed": attempt.passed,
        "created_at": datetime_representation(attempt.created_at),
        "deadline": datetime_representation(attempt.deadline),
        "submitted_at": datetime_representation(attempt.submitted_at),
        "revealed": revealed,
        "results": [
            result_view(result, order=orders.get(str(result.quiz_id)), revealed=revealed)
            for result in getattr(attempt, "ordered_results", [])
        ],
    }


def attempt_result_representation(attempt: QuizAttempt) -> dict[str, Any]:
    """``QuizAttemptResultSerializer(attempt).data``: the one-call quiz's answer."""
    return {**_attempt(attempt), "first_pass": attempt.first_pass}


def attempt_submitted_representation(attempt: QuizAttempt) -> dict[str, Any]:
    """``QuizAttemptSubmittedSerializer(attempt).data``: a submit's answer."""
    return {
        **_attempt(attempt),
        "questions": [
            {
                "id": str(quiz.pk),
                "type": quiz.type,
                "question": quiz.question,
                "options": [quiz.options[index] for index in order if index < len(quiz.options)],
            }
            for quiz, order in getattr(attempt, "shown_questions", [])
        ],
        "answers": [{"quiz": quiz, "selected_options": positions} for quiz, positions in attempt.saved_answers.items()],
        "first_pass": attempt.first_pass,
    }
