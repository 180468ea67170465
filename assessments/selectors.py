"""Reads of quiz data: a module's questions, per-question statistics, a learner's attempts, and the
unpassed modules that catalog's course completion asks about."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Count, Prefetch, Q, QuerySet

from assessments.models import Quiz, QuizAttempt, QuizResult


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
