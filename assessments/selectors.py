"""Reads of quiz data: a module's questions, per-question statistics and a learner's attempts.

Which modules a learner has passed is the catalog's record (``catalog.selectors.unpassed_quiz_module_ids``).
"""

from __future__ import annotations

from uuid import UUID

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from assessments.models import Quiz, QuizAttempt, QuizResult
from catalog.models import Module
from catalog.selectors import unpassed_quiz_module_ids  # noqa: F401  (re-exported for callers of this app)

# The classic item-analysis groups: the best and the worst 27% of attempts.
DISCRIMINATION_GROUP_SHARE = 0.27


def quiz_item_analysis(*, module_id: UUID, quiz_ids: list[UUID]) -> dict[UUID, dict[str, float | None]]:
    """Per question of ``quiz_ids``: ``difficulty`` (share of its judged answers that were right) and
    ``discrimination`` (share right among the best 27% of the module's judged attempts minus among the
    worst 27%; from −1 to 1, higher separates stronger from weaker learners better; null when fewer than
    two attempts, or a group never met the question). Two queries, whatever the number of questions."""
    ranked = list(
        QuizAttempt.objects.filter(module_id=module_id)
        .exclude(status=QuizAttempt.Status.IN_PROGRESS)
        .order_by("-percentage", "created_at")
        .values_list("pk", flat=True)
    )
    size = max(1, round(len(ranked) * DISCRIMINATION_GROUP_SHARE)) if len(ranked) >= 2 else 0
    upper, lower = set(ranked[:size]), set(ranked[len(ranked) - size :]) if size else set()
    tally: dict[UUID, dict[str, list[int]]] = {pk: {"all": [0, 0], "upper": [0, 0], "lower": [0, 0]} for pk in quiz_ids}
    rows = QuizResult.objects.filter(quiz_id__in=quiz_ids, attempt__module_id=module_id).values_list(
        "quiz_id", "attempt_id", "is_correct"
    )
    for quiz_id, attempt_id, is_correct in rows:
        groups = ["all"] + (["upper"] if attempt_id in upper else []) + (["lower"] if attempt_id in lower else [])
        for group in groups:
            tally[quiz_id][group][0] += 1
            tally[quiz_id][group][1] += int(is_correct)

    def share(counts: list[int]) -> float | None:
        return counts[1] / counts[0] if counts[0] else None

    analysis = {}
    for pk, groups in tally.items():
        high, low = share(groups["upper"]), share(groups["lower"])
        difficulty = share(groups["all"])
        analysis[pk] = {
            "difficulty": None if difficulty is None else round(difficulty, 4),
            "discrimination": None if high is None or low is None else round(high - low, 4),
        }
    return analysis


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


def _with_reveal_facts(attempts: QuerySet[QuizAttempt]) -> QuerySet[QuizAttempt]:
    """What the module's ``reveal`` policy asks, in the same query: has the learner passed the module,
    and how many attempts have they used there."""
    same = {"user_id": OuterRef("user_id"), "module_id": OuterRef("module_id")}
    used = QuizAttempt.objects.filter(**same).order_by().values("module_id").annotate(n=Count("pk")).values("n")
    return attempts.select_related("module").annotate(
        module_passed=Exists(QuizAttempt.objects.filter(**same, passed=True)),
        module_attempts_used=Coalesce(Subquery(used), 0),
    )


def attempt_reveals(attempt: QuizAttempt) -> bool:
    """Whether the learner may see per-question correctness, the correct options and the explanations
    of ``attempt`` under its module's ``reveal`` policy (never while it is open)."""
    if attempt.status == QuizAttempt.Status.IN_PROGRESS:
        return False
    module = attempt.module
    if module.reveal == Module.Reveal.IMMEDIATELY:
        return True
    if module.reveal == Module.Reveal.AFTER_PASS:
        if not hasattr(attempt, "module_passed"):
            attempt.module_passed = QuizAttempt.objects.filter(
                user_id=attempt.user_id, module_id=attempt.module_id, passed=True
            ).exists()
        return attempt.module_passed
    if module.reveal == Module.Reveal.AFTER_LAST_ATTEMPT and module.max_attempts is not None:
        if not hasattr(attempt, "module_attempts_used"):
            attempt.module_attempts_used = QuizAttempt.objects.filter(
                user_id=attempt.user_id, module_id=attempt.module_id
            ).count()
        return attempt.module_attempts_used >= module.max_attempts
    return False


def quiz_attempt_get(*, user, attempt_id: UUID) -> QuizAttempt | None:
    """One of ``user``'s attempts with its results and the questions as shown (3 queries), or None."""
    attempt = user_quiz_attempts(user=user).filter(pk=attempt_id).first()
    if attempt is None:
        return None
    attempt.shown_questions = attempt_shown_questions(
        attempt, Quiz.objects.filter(pk__in=[item["quiz"] for item in attempt.draw])
    )
    return attempt


def attempt_shown_questions(attempt: QuizAttempt, questions) -> list[tuple[Quiz, list[int]]]:
    """The attempt's questions in the order drawn, each with its option order: those of ``questions`` (the
    drawn questions that still exist) it drew."""
    by_id = {str(quiz.pk): quiz for quiz in questions}
    return [(by_id[item["quiz"]], item["order"]) for item in attempt.draw if item["quiz"] in by_id]


def user_quiz_attempts(*, user, module_id: UUID | None = None) -> QuerySet[QuizAttempt]:
    """``user``'s own attempts, newest first, with their module, what its reveal policy needs, and
    their results (one extra query for all of them)."""
    attempts = _with_reveal_facts(QuizAttempt.objects.filter(user=user))
    if module_id is not None:
        attempts = attempts.filter(module_id=module_id)
    results = QuizResult.objects.select_related("quiz").order_by("position")
    return attempts.order_by("-created_at").prefetch_related(
        Prefetch("results", queryset=results, to_attr="ordered_results")
    )
