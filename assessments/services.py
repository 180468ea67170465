"""Business rules of assessments: authoring a module's questions and judging a learner's attempt.

Positions of a module's questions stay unique and gap-free (1..n). The unique constraint on
(module, position) is not deferrable, so every reorder first lifts the rows out of the way by a
large offset and then writes the final positions, inside one transaction holding the module's lock.

An attempt holds the learner's enrollment row lock (the same lock catalog takes for completion), so
the daily attempt count and the "first pass" decision cannot race with a concurrent submission.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from assessments import errors
from assessments.models import Quiz, QuizAttempt, QuizResult
from assessments.signals import module_quiz_passed
from assessments.validators import options_normalise, quiz_content_errors
from catalog import errors as catalog_errors
from catalog.models import Module
from catalog.services import (
    content_delete_allowed_check,
    course_completion_check,
    enrollment_lock,
    module_lock,
    module_quiz_pass_record,
)
from common.exceptions import ApplicationError, ForbiddenError, NotFoundError, RateLimitedError
from common.ordering import position_clamp, positions_apply
from common.services import model_update
from common.timeutils import local_day_bounds
from moderation.services import audit_record

_QUIZ_FIELDS = ("question", "options", "correct_option", "explanation")


def _module_lock(*, module_id: UUID) -> Module:
    # Serialises every write to one module's question list (positions are read, then rewritten).
    return module_lock(module_id=module_id)


def _ordered_quiz_ids(*, module_id: UUID) -> list[UUID]:
    return list(Quiz.objects.filter(module_id=module_id).order_by("position").values_list("pk", flat=True))


def _positions_write(*, module_id: UUID, ordered_ids: list[UUID]) -> None:
    """Give the questions positions 1..n in ``ordered_ids`` order."""
    positions_apply(
        Quiz.objects.filter(module_id=module_id), {pk: index for index, pk in enumerate(ordered_ids, start=1)}
    )


def _content_validate(*, options: Any, correct_option: Any) -> None:
    field_errors = quiz_content_errors(options=options, correct_option=correct_option)
    if field_errors:
        raise ApplicationError("Invalid input.", code=errors.INVALID, errors=field_errors)


@transaction.atomic
def quiz_create(
    *,
    module: Module,
    question: str,
    options: list[str],
    correct_option: int,
    explanation: str = "",
    position: int | None = None,
) -> Quiz:
    """Add a question to ``module``: at the end, or at ``position`` (the others move down)."""
    _content_validate(options=options, correct_option=correct_option)
    _module_lock(module_id=module.pk)
    ordered = _ordered_quiz_ids(module_id=module.pk)
    at = position_clamp(position, last=len(ordered) + 1)
    quiz = Quiz.objects.create(
        module=module,
        question=question,
        options=options_normalise(options),
        correct_option=correct_option,
        explanation=explanation,
        position=len(ordered) + 1,
    )
    if at != quiz.position:
        ordered.insert(at - 1, quiz.pk)
        _positions_write(module_id=module.pk, ordered_ids=ordered)
        quiz.position = at
    return quiz


@transaction.atomic
def quiz_update(*, quiz: Quiz, data: dict[str, Any]) -> Quiz:
    """Edit a question. Past results keep their own copy of the judgement, so nothing is rewritten."""
    # Locked first, as in every write here: one lock order, so edits and reorders cannot deadlock.
    _module_lock(module_id=quiz.module_id)
    # Re-read under the lock: a concurrent delete or edit may have happened since the caller loaded it.
    quiz = Quiz.objects.select_related("module__course").filter(pk=quiz.pk).first()
    if quiz is None:
        raise NotFoundError("This question no longer exists.")
    options = data.get("options", quiz.options)
    correct_option = data.get("correct_option", quiz.correct_option)
    _content_validate(options=options, correct_option=correct_option)
    if "options" in data:
        data = {**data, "options": options_normalise(data["options"])}
    quiz, _ = model_update(instance=quiz, fields=_QUIZ_FIELDS, data=data)

    if data.get("position") is not None:
        ordered = _ordered_quiz_ids(module_id=quiz.module_id)
        position = position_clamp(data["position"], last=len(ordered))
        current = ordered.index(quiz.pk) + 1
        if position != current:
            ordered.remove(quiz.pk)
            ordered.insert(position - 1, quiz.pk)
            _positions_write(module_id=quiz.module_id, ordered_ids=ordered)
        quiz.position = position
    return quiz


@transaction.atomic
def quiz_delete(*, quiz: Quiz, actor) -> None:
    """Delete a question (audited) and close the gap.

    Refused (409 ``course_has_learners``) once the course has learners: edit the question instead.
    """
    module = _module_lock(module_id=quiz.module_id)
    content_delete_allowed_check(course_id=module.course_id, what="a quiz question")
    audit_record(
        actor=actor,
        action="quiz.delete",
        target=quiz,
        details={"course": str(module.course_id), "module": str(module.pk), "question": quiz.question[:200]},
    )
    quiz.delete()
    _positions_write(module_id=quiz.module_id, ordered_ids=_ordered_quiz_ids(module_id=quiz.module_id))


@transaction.atomic
def quiz_reorder(*, module: Module, quiz_ids: list[UUID]) -> list[Quiz]:
    """Put all of ``module``'s questions in the given order (a permutation of their ids)."""
    _module_lock(module_id=module.pk)
    current = _ordered_quiz_ids(module_id=module.pk)
    if len(quiz_ids) != len(set(quiz_ids)) or set(quiz_ids) != set(current):
        raise ApplicationError(
            "Invalid input.",
            code=errors.INVALID,
            errors={"order": ["List every question of the module exactly once."]},
        )
    _positions_write(module_id=module.pk, ordered_ids=quiz_ids)
    return list(Quiz.objects.filter(module=module).order_by("position"))


def _attempt_quota_check(*, user, module: Module) -> None:
    limit = settings.QUIZ_ATTEMPTS_PER_DAY
    now = timezone.now()
    day_start, next_day = local_day_bounds(now)
    used = QuizAttempt.objects.filter(user=user, module=module, created_at__gte=day_start).count()
    if used >= limit:
        raise RateLimitedError(
            f"You have used today's {limit} attempts at this quiz. Try again tomorrow.",
            retry_after=math.ceil((next_day - now).total_seconds()),
        )


def _answers_select(*, questions: list[Quiz], answers: list[dict[str, Any]]) -> dict[UUID, int]:
    """Map question id → selected option, or raise 400 with an error per faulty answer."""
    by_id = {quiz.pk: quiz for quiz in questions}
    field_errors: dict[str, list[str]] = {}
    selected: dict[UUID, int] = {}
    for index, answer in enumerate(answers):
        quiz = by_id.get(answer["quiz"])
        option = answer["selected_option"]
        if quiz is None:
            field_errors[f"answers.{index}.quiz"] = ["This question is not part of this module's quiz."]
        elif quiz.pk in selected:
            field_errors[f"answers.{index}.quiz"] = ["This question is answered more than once."]
        elif not 0 <= option < len(quiz.options):
            field_errors[f"answers.{index}.selected_option"] = [
                f"Must be the index of one of the options (0 to {len(quiz.options) - 1})."
            ]
        if quiz is not None and quiz.pk not in selected:
            selected[quiz.pk] = option
    missing = [str(quiz.pk) for quiz in questions if quiz.pk not in selected]
    if missing:
        field_errors["answers"] = [f"Answer every question; missing: {', '.join(missing)}."]
    if field_errors:
        raise ApplicationError("Invalid input.", code=errors.INVALID, errors=field_errors)
    return selected


def _percentage(*, score: int, total: int) -> Decimal:
    return (Decimal(score * 100) / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def quiz_attempt_submit(*, user, module: Module, answers: list[dict[str, Any]]) -> QuizAttempt:
    """Judge one submission of ``module``'s quiz, store it, and react to a first pass.

    ``answers`` is ``[{"quiz": UUID, "selected_option": int}]`` with one answer per question.
    The returned attempt carries ``results`` (a list, in question order) and ``first_pass``.
    """
    enrollment = enrollment_lock(user=user, course_id=module.course_id)
    if enrollment is None:
        raise ForbiddenError("Enroll in this course to take its quizzes.", code=catalog_errors.NOT_ENROLLED)
    _attempt_quota_check(user=user, module=module)

    questions = list(Quiz.objects.filter(module=module).order_by("position"))
    if not questions:
        raise ApplicationError(
            "This module has no quiz questions; it already counts as passed.", code=errors.QUIZ_EMPTY
        )
    selected = _answers_select(questions=questions, answers=answers)

    results = [
        QuizResult(
            quiz=quiz,
            user=user,
            question=quiz.question,
            position=quiz.position,
            selected_option=selected[quiz.pk],
            is_correct=selected[quiz.pk] == quiz.correct_option,
        )
        for quiz in questions
    ]
    score = sum(result.is_correct for result in results)
    total = len(results)
    # Integer comparison, so "exactly at the pass mark" passes without rounding surprises.
    passed = score * 100 >= module.pass_mark * total
    # The catalog keeps who passed which module (completion reads it); under the enrollment lock.
    first_pass = passed and module_quiz_pass_record(user=user, module=module)

    attempt = QuizAttempt.objects.create(
        user=user,
        module=module,
        score=score,
        total=total,
        percentage=_percentage(score=score, total=total),
        pass_mark=module.pass_mark,
        passed=passed,
    )
    for result in results:
        result.attempt = attempt
    QuizResult.objects.bulk_create(results)

    if first_pass:
        module_quiz_passed.send(sender=Module, user=user, module=module, attempt=attempt)
        course_completion_check(user=user, course_id=module.course_id)
    attempt.first_pass = first_pass
    attempt.ordered_results = results
    return attempt
