"""Business rules of assessments: authoring a module's questions and judging a learner's attempt.

Positions of a module's questions stay unique and gap-free (1..n). The unique constraint on
(module, position) is not deferrable, so every reorder first lifts the rows out of the way by a
large offset and then writes the final positions, inside one transaction holding the module's lock.

An attempt holds the learner's enrollment row lock (the same lock catalog takes for completion), so
the daily attempt count and the "first pass" decision cannot race with a concurrent submission.
"""

from __future__ import annotations

import csv
import io
import math
import random
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from assessments.errors import AssessmentsErrorCode
from assessments.models import QUIZ_CONTENT_FIELDS, Quiz, QuizAttempt, QuizResult
from assessments.selectors import (
    attempt_enrollment_locked_get,
    attempt_locked_get,
    attempt_shown_questions,
    attempt_with_module_locked_get,
    attempts_since_count,
    drawn_questions,
    module_questions,
)
from assessments.signals import module_quiz_passed
from assessments.validators import TRUE_FALSE_OPTIONS, options_normalise, quiz_content_errors
from audit.services import audit_record
from catalog.errors import CatalogErrorCode
from catalog.models import Enrollment, Module
from catalog.services import (
    content_delete_allowed_check,
    course_completion_evaluate,
    enrollment_lock,
    module_lock,
    module_quiz_pass_record,
)
from common.exceptions import ApplicationError, ConflictError, ForbiddenError, NotFoundError, RateLimitedError
from common.ordering import position_clamp, positions_apply
from common.services import model_update
from common.timeutils import local_day_bounds

_QUIZ_FIELDS = QUIZ_CONTENT_FIELDS


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


def _content_validate(*, options: Any, correct_option: Any, type: str, correct_options: Any) -> None:
    field_errors = quiz_content_errors(
        options=options, correct_option=correct_option, type=type, correct_options=correct_options
    )
    if field_errors:
        raise ApplicationError("Invalid input.", code=AssessmentsErrorCode.INVALID, errors=field_errors)


def _answer_columns(*, type: str, correct_option: Any, correct_options: Any) -> dict[str, Any]:
    """Both answer columns from the validated input: the set, and its lowest index for older readers."""
    chosen = sorted(correct_options) if type == Quiz.Type.MULTIPLE else [correct_option]
    return {"correct_option": chosen[0], "correct_options": chosen}


@transaction.atomic
def quiz_create(
    *,
    module: Module,
    question: str,
    options: list[str] | None = None,
    correct_option: int | None = None,
    explanation: str = "",
    position: int | None = None,
    type: str = Quiz.Type.SINGLE,
    correct_options: list[int] | None = None,
    partial_credit: bool = False,
) -> Quiz:
    """Add a question to ``module``: at the end, or at ``position`` (the others move down).

    A true/false question may leave out ``options`` (they are "True", "False").
    """
    if type == Quiz.Type.TRUE_FALSE and not options:
        options = list(TRUE_FALSE_OPTIONS)
    _content_validate(options=options, correct_option=correct_option, type=type, correct_options=correct_options)
    _module_lock(module_id=module.pk)
    ordered = _ordered_quiz_ids(module_id=module.pk)
    at = position_clamp(position, last=len(ordered) + 1)
    quiz = Quiz.objects.create(
        module=module,
        type=type,
        question=question,
        options=options_normalise(options),
        **_answer_columns(type=type, correct_option=correct_option, correct_options=correct_options),
        partial_credit=partial_credit and type == Quiz.Type.MULTIPLE,
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
    type = data.get("type", quiz.type)
    options = data.get("options", quiz.options)
    correct_option = data.get("correct_option", quiz.correct_option)
    correct_options = data.get("correct_options", quiz.correct_options)
    _content_validate(options=options, correct_option=correct_option, type=type, correct_options=correct_options)
    data = {
        **data,
        "options": options_normalise(options),
        **_answer_columns(type=type, correct_option=correct_option, correct_options=correct_options),
        "partial_credit": data.get("partial_credit", quiz.partial_credit) and type == Quiz.Type.MULTIPLE,
    }
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
            code=AssessmentsErrorCode.INVALID,
            errors={"order": ["List every question of the module exactly once."]},
        )
    _positions_write(module_id=module.pk, ordered_ids=quiz_ids)
    return list(Quiz.objects.filter(module=module).order_by("position"))


# --- attempts --------------------------------------------------------------------------------------

# A submit this late after the deadline still counts (network latency); later, only saved answers count.
SUBMIT_GRACE = timedelta(seconds=30)
_draw_random = random.SystemRandom()


def _attempt_limits_check(*, user, module: Module, now: datetime) -> None:
    """The daily limit, the module's ``max_attempts`` and its cooldown. The caller holds the enrollment lock."""
    limit = settings.QUIZ_ATTEMPTS_PER_DAY
    day_start, next_day = local_day_bounds(now)
    if attempts_since_count(user=user, module_id=module.pk, since=day_start) >= limit:
        raise RateLimitedError(
            f"You have used today's {limit} attempts at this quiz. Try again tomorrow.",
            retry_after=math.ceil((next_day - now).total_seconds()),
        )
    if module.max_attempts is None and not module.cooldown_minutes:
        return  # most modules: no queryset to build
    attempts = QuizAttempt.objects.filter(user=user, module=module)
    if module.max_attempts is not None and attempts.count() >= module.max_attempts:
        raise ConflictError(
            f"You have used all {module.max_attempts} attempts at this quiz.",
            code=AssessmentsErrorCode.ATTEMPTS_EXHAUSTED,
        )
    if module.cooldown_minutes:
        last = attempts.order_by("-created_at").values_list("created_at", flat=True).first()
        if last is not None and now < last + timedelta(minutes=module.cooldown_minutes):
            wait = math.ceil((last + timedelta(minutes=module.cooldown_minutes) - now).total_seconds())
            error = RateLimitedError(
                f"Wait {module.cooldown_minutes} minutes between attempts at this quiz.", retry_after=wait
            )
            error.code = AssessmentsErrorCode.QUIZ_COOLDOWN
            raise error


def _enrollment_require(*, user, module: Module):
    enrollment = enrollment_lock(user=user, course_id=module.course_id)
    if enrollment is None:
        raise ForbiddenError("Enroll in this course to take its quizzes.", code=CatalogErrorCode.NOT_ENROLLED)
    return enrollment


def _module_questions(*, module: Module) -> list[Quiz]:
    questions = module_questions(module_id=module.pk)
    if not questions:
        raise ApplicationError(
            "This module has no quiz questions; it already counts as passed.", code=AssessmentsErrorCode.QUIZ_EMPTY
        )
    return questions


def module_needs_start(*, module: Module, question_count: int) -> bool:
    """True when the module's settings need start + submit (a draw, shuffled options or a clock)."""
    draws = module.questions_per_attempt is not None and module.questions_per_attempt < question_count
    return draws or module.shuffle_options or module.time_limit_seconds is not None


def _percentage(*, points: Decimal, total: int) -> Decimal:
    return (points * 100 / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def quiz_credit(*, quiz: Quiz, selected: set[int]) -> Decimal:
    """The credit (0–1) of ``selected`` stored option indexes for ``quiz``.

    Single choice and true/false: 1 for the correct option, else 0. Multiple choice: 1 for exactly the
    set of correct options, else 0 — or, with ``partial_credit``, (right picks − wrong picks) / correct
    options, never below 0. An unanswered question scores 0.
    """
    correct = set(quiz.answer_indexes)
    if quiz.type == Quiz.Type.MULTIPLE and quiz.partial_credit:
        earned = len(selected & correct) - len(selected - correct)
        return (Decimal(max(earned, 0)) / Decimal(len(correct))).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    return Decimal(1) if selected == correct else Decimal(0)


def _attempt_judge(
    *,
    attempt: QuizAttempt,
    selections: dict[str, list[int]],
    now: datetime,
    status: str,
    enrollment: Enrollment | None,
    questions: list[Quiz] | None = None,
    also_save: tuple[str, ...] = (),
) -> bool:
    """Score ``attempt`` on ``selections`` (question id → stored option indexes), store it and its
    results, close it with ``status`` and react to a first pass. ``enrollment`` is the learner's active
    enrollment, locked by the caller (None: not enrolled, a pass is not recorded). Returns whether this was
    the learner's first pass."""
    if questions is None:
        questions = drawn_questions(attempt)
    by_id = {str(quiz.pk): quiz for quiz in questions}
    results = []
    for index, item in enumerate(attempt.draw, start=1):
        quiz = by_id.get(item["quiz"])
        if quiz is None:  # deleted since the start: nobody can answer it, so it does not count
            continue
        chosen = sorted(set(selections.get(item["quiz"], [])))
        credit = quiz_credit(quiz=quiz, selected=set(chosen))
        results.append(
            QuizResult(
                quiz=quiz,
                user_id=attempt.user_id,
                question=quiz.question,
                position=index,  # the order shown (for the one-call quiz: the question's position)
                selected_option=chosen[0] if chosen else None,
                selected_options=chosen,
                correct_options=quiz.answer_indexes,
                credit=credit,
                is_correct=credit == 1,
            )
        )
    total = len(results)
    points = sum((result.credit for result in results), Decimal(0))
    attempt.score = sum(result.is_correct for result in results)
    attempt.points = points
    attempt.total = total
    attempt.percentage = _percentage(points=points, total=total) if total else Decimal(0)
    # Exact comparison, so "exactly at the pass mark" passes without rounding surprises.
    attempt.passed = total > 0 and points * 100 >= attempt.pass_mark * total
    attempt.status = status
    attempt.submitted_at = now
    module = attempt.module
    # The catalog keeps who passed which module (completion reads it); under the enrollment lock, before the
    # attempt row is stored.
    first_pass = attempt.passed and enrollment is not None and module_quiz_pass_record(user=attempt.user, module=module)
    attempt.first_pass = first_pass  # set before the save: tells the attempt receiver the pass is recorded
    if attempt._state.adding:  # the one-call quiz: stored once, already judged
        attempt.save()
    else:
        # ``also_save``: the caller's changes of the attempt (answers sent with the submit), in the same UPDATE.
        outcome = ["score", "points", "total", "percentage", "passed", "status", "submitted_at"]
        attempt.save(update_fields=[*outcome, *also_save])
    for result in results:
        result.attempt = attempt
    QuizResult.objects.bulk_create(results)
    attempt.ordered_results = results
    if attempt.passed:
        attempt.module_passed = True  # what the reveal policy asks, known without a query
    if first_pass:
        module_quiz_passed.send(sender=Module, user=attempt.user, module=module, attempt=attempt)
        # The enrollment is locked already (with its course's lesson count): evaluated on it, without a re-read.
        course_completion_evaluate(enrollment=enrollment, total_lessons=enrollment.total_lessons)
    return first_pass


def _answers_select(*, questions: list[Quiz], answers: list[dict[str, Any]]) -> dict[str, list[int]]:
    """The one-call submit: question id → [selected option], or 400 with an error per faulty answer."""
    by_id = {quiz.pk: quiz for quiz in questions}
    field_errors: dict[str, list[str]] = {}
    selected: dict[str, list[int]] = {}
    for index, answer in enumerate(answers):
        quiz = by_id.get(answer["quiz"])
        options = _answer_options(answer)
        if quiz is None:
            field_errors[f"answers.{index}.quiz"] = ["This question is not part of this module's quiz."]
        elif str(quiz.pk) in selected:
            field_errors[f"answers.{index}.quiz"] = ["This question is answered more than once."]
        else:
            problem = _selection_problem(quiz=quiz, positions=options)
            if problem:
                field_errors[f"answers.{index}.{_answer_key(answer)}"] = [problem]
        if quiz is not None and str(quiz.pk) not in selected:
            selected[str(quiz.pk)] = options
    missing = [str(quiz.pk) for quiz in questions if str(quiz.pk) not in selected]
    if missing:
        field_errors["answers"] = [f"Answer every question; missing: {', '.join(missing)}."]
    if field_errors:
        raise ApplicationError("Invalid input.", code=AssessmentsErrorCode.INVALID, errors=field_errors)
    return selected


def _answer_key(answer: dict[str, Any]) -> str:
    return "selected_options" if "selected_options" in answer else "selected_option"


def _answer_options(answer: dict[str, Any]) -> list[int]:
    if answer.get("selected_options") is not None:
        return list(answer["selected_options"])
    return [answer["selected_option"]] if answer.get("selected_option") is not None else []


def _selection_problem(*, quiz: Quiz, positions: list[int]) -> str | None:
    if len(set(positions)) != len(positions):
        return "Select each option once."
    if any(not 0 <= position < len(quiz.options) for position in positions):
        return f"Must be the index of one of the options (0 to {len(quiz.options) - 1})."
    if quiz.type != Quiz.Type.MULTIPLE and len(positions) > 1:
        return "Select one option for this question."
    return None


@transaction.atomic
def quiz_attempt_submit(*, user, module: Module, answers: list[dict[str, Any]]) -> QuizAttempt:
    """Judge one submission of ``module``'s whole quiz in one call (the original API), store it, and react
    to a first pass. Only for modules whose settings need no start (no draw, shuffle or time limit).

    ``answers`` is ``[{"quiz": UUID, "selected_option": int}]`` (or ``selected_options``) with one
    answer per question. The returned attempt carries ``ordered_results`` and ``first_pass``.
    """
    enrollment = _enrollment_require(user=user, module=module)
    now = timezone.now()
    _attempt_limits_check(user=user, module=module, now=now)
    questions = _module_questions(module=module)
    if module_needs_start(module=module, question_count=len(questions)):
        raise ConflictError(
            "This quiz draws, shuffles or times its questions: start an attempt, then submit it.",
            code=AssessmentsErrorCode.QUIZ_REQUIRES_START,
        )
    selected = _answers_select(questions=questions, answers=answers)
    attempt = QuizAttempt(
        user=user,
        module=module,
        draw=[{"quiz": str(quiz.pk), "order": list(range(len(quiz.options)))} for quiz in questions],
        total=len(questions),
        pass_mark=module.pass_mark,
    )
    _attempt_judge(
        attempt=attempt,
        selections=selected,
        now=now,
        status=QuizAttempt.Status.SUBMITTED,
        enrollment=enrollment,
        questions=questions,
    )
    return attempt


def quiz_attempt_start(*, user, module: Module) -> tuple[QuizAttempt, bool]:
    """Start an attempt at ``module``'s quiz: draw its questions and fix their option order.

    Returns ``(attempt, created)``: a learner's attempt still open is handed back instead of a new one.
    The enrollment lock serialises a learner's starts, so limits and cooldown hold under concurrency.
    """
    # Overdue attempts are closed in their own transactions, so they stay closed when this start is refused.
    overdue = QuizAttempt.objects.filter(
        user=user, module=module, status=QuizAttempt.Status.IN_PROGRESS, deadline__lt=timezone.now() - SUBMIT_GRACE
    ).values_list("pk", flat=True)
    for attempt_id in list(overdue):
        quiz_attempt_close(attempt_id=attempt_id)
    return _attempt_start(user=user, module=module)


@transaction.atomic
def _attempt_start(*, user, module: Module) -> tuple[QuizAttempt, bool]:
    _enrollment_require(user=user, module=module)
    now = timezone.now()
    open_attempt = (
        QuizAttempt.objects.filter(user=user, module=module, status=QuizAttempt.Status.IN_PROGRESS)
        .select_related("module")
        .first()
    )
    if open_attempt is not None:
        return open_attempt, False
    _attempt_limits_check(user=user, module=module, now=now)
    draw = quiz_draw(
        questions=_module_questions(module=module), count=module.questions_per_attempt, shuffle=module.shuffle_options
    )
    attempt = QuizAttempt.objects.create(
        user=user,
        module=module,
        status=QuizAttempt.Status.IN_PROGRESS,
        draw=draw,
        total=len(draw),
        pass_mark=module.pass_mark,
        deadline=now + timedelta(seconds=module.time_limit_seconds) if module.time_limit_seconds else None,
    )
    return attempt, True


def quiz_draw(*, questions: list[Quiz], count: int | None, shuffle: bool) -> list[dict[str, Any]]:
    """An attempt's questions: ``count`` of ``questions`` drawn uniformly without repeats (all when None),
    in their positions' order, each with the order its options are shown in (stored indexes)."""
    count = min(count or len(questions), len(questions))
    drawn = sorted(_draw_random.sample(questions, count), key=lambda quiz: quiz.position)
    draw = []
    for quiz in drawn:
        order = list(range(len(quiz.options)))
        if shuffle:
            _draw_random.shuffle(order)
        draw.append({"quiz": str(quiz.pk), "order": order})
    return draw


def _saved_selections(attempt: QuizAttempt) -> dict[str, list[int]]:
    """The attempt's saved answers as stored option indexes (they are saved as shown positions)."""
    orders = {item["quiz"]: item["order"] for item in attempt.draw}
    return {
        quiz_id: [orders[quiz_id][position] for position in positions]
        for quiz_id, positions in attempt.saved_answers.items()
        if quiz_id in orders
    }


def _attempt_lock(*, attempt_id: UUID, user) -> QuizAttempt:
    attempt = attempt_locked_get(user=user, attempt_id=attempt_id)
    if attempt is None:
        raise NotFoundError("No such attempt.")
    return attempt


def _attempt_questions(attempt: QuizAttempt) -> list[Quiz]:
    """The attempt's drawn questions that still exist."""
    return drawn_questions(attempt)


def _answers_merge(
    *, attempt: QuizAttempt, answers: list[dict[str, Any]], drawn: list[Quiz] | None = None
) -> dict[str, list[int]]:
    """The attempt's saved answers with ``answers`` (shown positions) applied, or 400 per faulty answer.
    ``drawn`` is ``_attempt_questions(attempt)`` when the caller has read it."""
    questions = {str(quiz.pk): quiz for quiz in (_attempt_questions(attempt) if drawn is None else drawn)}
    field_errors: dict[str, list[str]] = {}
    saved = dict(attempt.saved_answers)
    seen: set[str] = set()
    for index, answer in enumerate(answers):
        quiz_id = str(answer["quiz"])
        quiz = questions.get(quiz_id)
        positions = list(answer["selected_options"])
        if quiz is None:
            field_errors[f"answers.{index}.quiz"] = ["This question is not part of this attempt."]
        elif quiz_id in seen:
            field_errors[f"answers.{index}.quiz"] = ["This question is answered more than once."]
        elif problem := _selection_problem(quiz=quiz, positions=positions):
            field_errors[f"answers.{index}.selected_options"] = [problem]
        else:
            saved[quiz_id] = sorted(positions)
        seen.add(quiz_id)
    if field_errors:
        raise ApplicationError("Invalid input.", code=AssessmentsErrorCode.INVALID, errors=field_errors)
    return _jsonb_ordered(saved)


def _jsonb_ordered(saved: dict[str, list[int]]) -> dict[str, list[int]]:
    """``saved`` with its keys in the order a ``jsonb`` column gives them back (shorter keys first, then
    bytewise): the attempt held in memory reads as the stored one does, so an answer built from it is the
    answer a re-read would give."""
    return dict(sorted(saved.items(), key=lambda item: (len(item[0].encode()), item[0].encode())))


def _attempt_open_require(*, attempt: QuizAttempt) -> None:
    if attempt.status != QuizAttempt.Status.IN_PROGRESS:
        raise ConflictError("This attempt is closed.", code=AssessmentsErrorCode.ATTEMPT_CLOSED)


def quiz_attempt_answers_save(*, user, attempt_id: UUID, answers: list[dict[str, Any]]) -> QuizAttempt:
    """Save answers (``[{"quiz", "selected_options": [shown positions]}]``) of an open attempt.

    Past the deadline (and its grace) the attempt is closed on what was saved before, and 409 answered.
    Saving takes only the attempt's lock (closing takes the enrollment's first, as everywhere); a save
    racing the deadline is judged by the close that follows, never half-applied.
    """
    # Closed in its own transaction first, so the close stays when the refusal below is answered.
    if quiz_attempt_close_if_overdue(user=user, attempt_id=attempt_id):
        raise ConflictError("The time for this attempt is over.", code=AssessmentsErrorCode.ATTEMPT_CLOSED)
    with transaction.atomic():
        attempt = _attempt_lock(attempt_id=attempt_id, user=user)
        _attempt_open_require(attempt=attempt)
        if attempt.deadline is not None and timezone.now() > attempt.deadline + SUBMIT_GRACE:
            raise ConflictError("The time for this attempt is over.", code=AssessmentsErrorCode.ATTEMPT_CLOSED)
        attempt.saved_answers = _answers_merge(attempt=attempt, answers=answers)
        attempt.save(update_fields=["saved_answers"])
    return attempt


@transaction.atomic
def quiz_attempt_finish(*, user, attempt_id: UUID, answers: list[dict[str, Any]]) -> QuizAttempt:
    """Submit an open attempt, with any last ``answers`` (shown positions) applied to the saved ones.

    After the deadline plus ``SUBMIT_GRACE`` only what was saved before counts. Unanswered questions
    score 0. The returned attempt carries ``ordered_results``, ``first_pass`` and ``shown_questions``: what
    ``assessments.selectors.quiz_attempt_get`` reads, so the answer needs no re-read.
    """
    # Lock order as everywhere: the enrollment (found through the attempt's module) first, then the attempt.
    enrollment = attempt_enrollment_locked_get(user=user, attempt_id=attempt_id)
    attempt = attempt_with_module_locked_get(user=user, attempt_id=attempt_id)
    if attempt is None:
        raise NotFoundError("No such attempt.")
    now = timezone.now()
    _attempt_open_require(attempt=attempt)
    attempt.user = user
    questions = _attempt_questions(attempt)
    status = QuizAttempt.Status.SUBMITTED
    if attempt.deadline is not None and now > attempt.deadline + SUBMIT_GRACE:
        status = QuizAttempt.Status.EXPIRED
    elif answers:
        attempt.saved_answers = _answers_merge(attempt=attempt, answers=answers, drawn=questions)
    selections = _saved_selections(attempt)
    _attempt_judge(
        attempt=attempt,
        selections=selections,
        now=now,
        status=status,
        enrollment=enrollment,
        questions=questions,
        also_save=("saved_answers",) if answers and status == QuizAttempt.Status.SUBMITTED else (),
    )
    attempt.shown_questions = attempt_shown_questions(attempt, questions)
    return attempt


@transaction.atomic
def quiz_attempt_close(*, attempt_id: UUID) -> bool:
    """Close an open attempt past its deadline (plus grace), scored on its saved answers. Idempotent."""
    peek = QuizAttempt.objects.filter(pk=attempt_id).select_related("module", "user").first()
    if peek is None:
        return False
    enrollment = enrollment_lock(user=peek.user, course_id=peek.module.course_id)
    attempt = QuizAttempt.objects.select_for_update().filter(pk=attempt_id).first()
    now = timezone.now()
    if (
        attempt is None
        or attempt.status != QuizAttempt.Status.IN_PROGRESS
        or attempt.deadline is None
        or now <= attempt.deadline + SUBMIT_GRACE
    ):
        return False
    attempt.module, attempt.user = peek.module, peek.user
    closed = QuizAttempt.Status.EXPIRED
    selections = _saved_selections(attempt)
    _attempt_judge(attempt=attempt, selections=selections, now=now, status=closed, enrollment=enrollment)
    return True


def quiz_attempts_expire() -> int:
    """Upkeep: close every open attempt past its deadline (each in its own transaction)."""
    overdue = QuizAttempt.objects.filter(
        status=QuizAttempt.Status.IN_PROGRESS, deadline__lt=timezone.now() - SUBMIT_GRACE
    ).values_list("pk", flat=True)
    return sum(quiz_attempt_close(attempt_id=attempt_id) for attempt_id in list(overdue[:1000]))


def quiz_attempt_close_if_overdue(*, user, attempt_id: UUID) -> bool:
    """Close ``user``'s attempt if it is open past its deadline (the lazy half of the expiry sweep)."""
    overdue = QuizAttempt.objects.filter(
        pk=attempt_id, user=user, status=QuizAttempt.Status.IN_PROGRESS, deadline__lt=timezone.now() - SUBMIT_GRACE
    ).exists()
    return overdue and quiz_attempt_close(attempt_id=attempt_id)


# --- bulk import ------------------------------------------------------------------------------------

QUIZ_IMPORT_MAX_BYTES = 1_000_000
QUIZ_IMPORT_MAX_ROWS = 500
QUIZ_IMPORT_COLUMNS = ("type", "question", "options", "correct", "explanation", "partial_credit")
_TRUE_WORDS = {"1", "true", "yes", "y"}


def _import_row(row: dict[str, str]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """One CSV row as ``quiz_create`` arguments, and its field errors."""
    type = (row.get("type") or "").strip() or Quiz.Type.SINGLE
    options = [option for option in (row.get("options") or "").split("|")] if (row.get("options") or "").strip() else []
    question = (row.get("question") or "").strip()
    field_errors: dict[str, list[str]] = {}
    if not question:
        field_errors["question"] = ["Give the question's text."]
    elif len(question) > 2000:
        field_errors["question"] = ["At most 2000 characters."]
    try:
        correct = [int(part) for part in (row.get("correct") or "").split("|") if part.strip()]
    except ValueError:
        correct = []
        field_errors["correct"] = ["Give 0-based option indexes separated by |."]
    explanation = (row.get("explanation") or "").strip()
    if len(explanation) > 4000:
        field_errors["explanation"] = ["At most 4000 characters."]
    if type == Quiz.Type.TRUE_FALSE and not options:
        options = list(TRUE_FALSE_OPTIONS)
    arguments = {
        "type": type,
        "question": question,
        "options": options,
        "correct_option": correct[0] if len(correct) == 1 else None,
        "correct_options": correct,
        "explanation": explanation,
        "partial_credit": (row.get("partial_credit") or "").strip().lower() in _TRUE_WORDS,
    }
    content = quiz_content_errors(
        options=options, correct_option=arguments["correct_option"], type=type, correct_options=correct
    )
    for name, messages in content.items():
        field_errors.setdefault("correct" if name.startswith("correct") else name, messages)
    return arguments, field_errors


def quiz_csv_rows(*, content: bytes) -> list[dict[str, str]]:
    """The rows of an uploaded CSV (UTF-8, header row naming ``QUIZ_IMPORT_COLUMNS``), or 400 ``file``."""

    def refuse(message: str) -> ApplicationError:
        return ApplicationError("Invalid input.", code=AssessmentsErrorCode.INVALID, errors={"file": [message]})

    if len(content) > QUIZ_IMPORT_MAX_BYTES:
        raise refuse(f"The file is larger than {QUIZ_IMPORT_MAX_BYTES // 1000} kB.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refuse("The file is not UTF-8 text.") from None
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [name for name in ("question", "correct") if name not in header]
        if missing:
            raise refuse(f"The header row lacks: {', '.join(missing)} (columns: {', '.join(QUIZ_IMPORT_COLUMNS)}).")
        reader.fieldnames = header
        rows = []
        for row in reader:
            rows.append({key: value for key, value in row.items() if isinstance(key, str) and isinstance(value, str)})
            if len(rows) > QUIZ_IMPORT_MAX_ROWS:
                raise refuse(f"At most {QUIZ_IMPORT_MAX_ROWS} questions per file.")
    except csv.Error as error:
        raise refuse(f"Not a readable CSV file: {error}.") from None
    if not rows:
        raise refuse("The file has no question rows.")
    return rows


@transaction.atomic
def quiz_import(*, module: Module, rows: list[dict[str, str]]) -> list[Quiz]:
    """Append every row as a question of ``module``, all or nothing: any faulty row answers 400 with its
    errors as ``rows.N.column`` (N = the row's 1-based number after the header) and nothing is created."""
    parsed, field_errors = [], {}
    for number, row in enumerate(rows, start=1):
        arguments, row_errors = _import_row(row)
        parsed.append(arguments)
        for name, messages in row_errors.items():
            field_errors[f"rows.{number}.{name}"] = messages
    if field_errors:
        raise ApplicationError("Invalid input.", code=AssessmentsErrorCode.INVALID, errors=field_errors)
    return [quiz_create(module=module, **arguments) for arguments in parsed]
