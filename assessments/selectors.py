"""Reads of quiz data: a module's questions, per-question statistics and a learner's attempts.

Which modules a learner has passed is the catalog's record (``catalog.selectors.unpassed_quiz_module_ids``).
"""

from __future__ import annotations

import datetime
import functools
from uuid import UUID

from django.db import router
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from assessments.models import Quiz, QuizAttempt, QuizResult
from catalog.models import Enrollment, Module
from catalog.selectors import (  # noqa: F401  (unpassed_quiz_module_ids: re-exported for callers of this app)
    enrollment_from_lock_row,
    enrollment_lock_with_lessons_values,
    unpassed_quiz_module_ids,
)
from common.precompiled import PrecompiledQuery
from common.rows import instance_with_related, select_related_values

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
    attempt.shown_questions = attempt_shown_questions(attempt, drawn_questions(attempt))
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


# --- the reads of a submission, compiled once (common.precompiled) -------------------------------------

ATTEMPT_WITH_MODULE = ("module",)

# What a submission locks, in the order every writer locks them: the learner's active enrollment in the course of
# the attempt's module (with the course's lesson count, which completion compares with), then the attempt with its
# module. Two statements, each compiled once; either finds nothing for another learner's attempt.
_ENROLLMENT_FOR_ATTEMPT = PrecompiledQuery(
    lambda attempt_id, user_id: enrollment_lock_with_lessons_values(
        user_id=user_id,
        course_id=Subquery(QuizAttempt.objects.filter(pk=attempt_id, user_id=user_id).values("module__course_id")[:1]),
    ),
    placeholder=UUID(int=0),
    # The attempt's id is prepared as any UUID key (the field must be the enrollment's model's).
    field=Enrollment._meta.pk,
    also=((UUID(int=1), Enrollment._meta.get_field("user")),),
)
_ATTEMPT_WITH_MODULE_LOCK = PrecompiledQuery(
    lambda attempt_id, user_id: (
        QuizAttempt.objects.select_for_update(of=("self",))
        .filter(pk=attempt_id, user_id=user_id)
        .values(*select_related_values(QuizAttempt, ATTEMPT_WITH_MODULE))
    ),
    placeholder=UUID(int=0),
    field=QuizAttempt._meta.pk,
    also=((UUID(int=1), QuizAttempt._meta.get_field("user")),),
)


def attempt_enrollment_locked_get(*, user, attempt_id: UUID) -> Enrollment | None:
    """``user``'s active enrollment in the course of their attempt ``attempt_id``, row-locked, ``total_lessons`` set
    (None: no such attempt of theirs, or not enrolled). Locked before the attempt (``attempt_with_module_locked_get``).
    """
    using = router.db_for_write(Enrollment)
    rows = _ENROLLMENT_FOR_ATTEMPT.dicts(attempt_id, user.pk, using=using, limit=1)
    return enrollment_from_lock_row(rows[0], using) if rows else None


def attempt_with_module_locked_get(*, user, attempt_id: UUID) -> QuizAttempt | None:
    """``QuizAttempt.objects.select_for_update(of=("self",)).select_related("module").filter(pk=attempt_id,
    user=user).first()``: only the attempt's row is locked."""
    using = router.db_for_write(QuizAttempt)
    rows = _ATTEMPT_WITH_MODULE_LOCK.dicts(attempt_id, user.pk, using=using, limit=1)
    return instance_with_related(rows[0], QuizAttempt, ATTEMPT_WITH_MODULE, using) if rows else None


_ATTEMPT_LOCK = PrecompiledQuery(
    lambda attempt_id, user_id: QuizAttempt.objects.select_for_update().filter(pk=attempt_id, user_id=user_id),
    placeholder=UUID(int=0),
    field=QuizAttempt._meta.pk,
    also=((UUID(int=1), QuizAttempt._meta.get_field("user")),),
)


def attempt_locked_get(*, user, attempt_id: UUID) -> QuizAttempt | None:
    """``QuizAttempt.objects.select_for_update().filter(pk=attempt_id, user=user).first()``."""
    found = _ATTEMPT_LOCK.instances(attempt_id, user.pk, using=router.db_for_write(QuizAttempt), limit=1)
    return found[0] if found else None


_ATTEMPTS_SINCE = PrecompiledQuery(
    lambda user_id, module_id, since: (
        QuizAttempt.objects.filter(user_id=user_id, module_id=module_id, created_at__gte=since)
        .order_by()
        .values("user_id")
        .annotate(n=Count("pk"))
        .values("n")
    ),
    placeholder=UUID(int=0),
    field=QuizAttempt._meta.get_field("user"),
    also=(
        (UUID(int=1), QuizAttempt._meta.get_field("module")),
        (datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC), QuizAttempt._meta.get_field("created_at")),
    ),
)


def attempts_since_count(*, user, module_id: UUID, since: datetime.datetime) -> int:
    """How many attempts ``user`` started at the module's quiz since ``since`` (the daily limit)."""
    rows = _ATTEMPTS_SINCE.rows(user.pk, module_id, since, using=_ATTEMPTS_SINCE.db_for_read())
    return rows[0][0] if rows else 0


_MODULE_QUESTIONS = PrecompiledQuery(
    lambda module_id: Quiz.objects.filter(module_id=module_id).order_by("position"),
    placeholder=UUID(int=0),
    field=Quiz._meta.get_field("module"),
)


def module_questions(*, module_id: UUID) -> list[Quiz]:
    """``module_quizzes(module_id=module_id)`` as a list, compiled once."""
    return _MODULE_QUESTIONS.instances(module_id, using=_MODULE_QUESTIONS.db_for_read())


@functools.cache
def _questions_by_key(count: int) -> PrecompiledQuery:
    """``Quiz.objects.filter(pk__in=<count keys>)``, compiled once per number of keys (a module's question count)."""
    placeholders = [UUID(int=index) for index in range(count)]
    return PrecompiledQuery(
        lambda *keys: Quiz.objects.filter(pk__in=keys),
        placeholder=placeholders[0],
        field=Quiz._meta.pk,
        also=tuple((placeholder, Quiz._meta.pk) for placeholder in placeholders[1:]),
    )


def drawn_questions(attempt: QuizAttempt) -> list[Quiz]:
    """The attempt's drawn questions that still exist: ``Quiz.objects.filter(pk__in=<drawn ids>)``."""
    keys = [item["quiz"] for item in attempt.draw]
    if not keys:
        return []  # as the ORM: an empty IN matches nothing, without a query
    query = _questions_by_key(len(keys))
    return query.instances(*keys, using=query.db_for_read())
