"""Reads of quiz data: a module's questions, per-question statistics and a learner's attempts.

Which modules a learner has passed is the catalog's record (``catalog.selectors.unpassed_quiz_module_ids``).
"""

from __future__ import annotations

from uuid import UUID

from django.db.models import Count, Prefetch, Q, QuerySet

from assessments.models import Quiz, QuizAttempt, QuizResult
from catalog.selectors import unpassed_quiz_module_ids  # noqa: F401  (re-exported for callers of this app)


def module_quizzes(*, module_id: UUID) -> QuerySet[Quiz]:
    return Quiz.objects.filter(module_id=module_id).order_by("position")


def module_quiz_stats(*, module_id: UUID) -> QuerySet[Quiz]:
    """The module's questions annotated with ``attempted_learners`` and ``correct_learners``.

    A learner counts once per question however many attempts they made; "correct" means they answered
    it correctly at least once. One grouped query (index ``assess_result_quiz_user``).
    """
    return (
        Quiz.objects.filter(module_id=module_id)
        .annotate(
            attempted_learners=Count("results__user", distinct=True),
            correct_learners=Count("results__user", filter=Q(results__is_correct=True), distinct=True),
        )
        .order_by("position")
    )


def user_quiz_attempts(*, user, module_id: UUID | None = None) -> QuerySet[QuizAttempt]:
    """``user``'s own attempts, newest first, with their results (one extra query for all of them)."""
    attempts = QuizAttempt.objects.filter(user=user)
    if module_id is not None:
        attempts = attempts.filter(module_id=module_id)
    results = QuizResult.objects.select_related("quiz").order_by("position")
    return attempts.order_by("-created_at").prefetch_related(
        Prefetch("results", queryset=results, to_attr="ordered_results")
    )
