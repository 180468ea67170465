"""Reads of quiz data that other apps need (course completion asks which module quizzes are unpassed)."""

from __future__ import annotations

from uuid import UUID

from assessments.models import Quiz, QuizAttempt


def unpassed_quiz_module_ids(*, user, course_id: UUID) -> set[UUID]:
    """Modules of the course that have questions and that ``user`` has not yet passed.

    A module without questions counts as passed, so it never appears here.
    """
    with_questions = set(
        Quiz.objects.filter(module__course_id=course_id).values_list("module_id", flat=True).distinct()
    )
    if not with_questions:
        return set()
    passed = set(
        QuizAttempt.objects.filter(user=user, module_id__in=with_questions, passed=True)
        .values_list("module_id", flat=True)
        .distinct()
    )
    return with_questions - passed
