"""Business rules of the catalog: courses and their review, curriculum order, enrollment, lesson progress
and course completion.

Course completion (all lessons done and every module quiz passed) is decided in exactly one place,
``course_completion_evaluate``, which sends ``catalog.signals.course_completed`` once per learner and
course. Callers hold the enrollment's row lock, so concurrent completions cannot fire it twice.

Module and lesson positions are 1..n without gaps within their parent. Every change of order locks the
parent row first, so two editors cannot interleave their renumbering.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import IntegrityError, models, transaction
from django.db.models import Count, F, ProtectedError, RestrictedError, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify

from audit.services import audit_record
from catalog.cache import catalogue_changed
from catalog.errors import CatalogErrorCode
from catalog.models import (
    COURSE_PRICE_MIN_PAID,
    COURSE_PRICE_TOO_LOW,
    MODULE_QUIZ_SETTINGS,
    RATING_STARS,
    Course,
    Domain,
    Enrollment,
    Lesson,
    LessonPosition,
    LessonProgress,
    Module,
    ModuleQuizPass,
    WishlistItem,
)
from catalog.selectors import (
    course_lesson_count,
    enrollment_any_locked_get,
    enrollment_lock_for_progress,
    enrollment_locked_get,
    lessons_done_count,
    unpassed_quiz_module_ids,
)
from catalog.signals import (
    course_approved,
    course_completed,
    course_rejected,
    course_submitted,
    enrollment_restored,
    enrollment_revoked,
    lesson_completed,
)
from common.background import enqueue_on_commit
from common.errors import CommonErrorCode
from common.exceptions import ApplicationError, ConflictError, ForbiddenError, NotFoundError, PaymentRequiredError
from common.ordering import position_clamp, positions_renumber
from common.services import model_insert_if_absent, model_update

# ----------------------------------------------------------------------------------------------
# Courses
# ----------------------------------------------------------------------------------------------

COURSE_EDITABLE_FIELDS = ("title", "description", "domain", "price", "thumbnail_url")


def _slug_candidates(title: str) -> Iterator[str]:
    base = slugify(title)[:200].strip("-") or "course"
    yield base
    for _ in range(5):
        yield f"{base}-{uuid.uuid4().hex[:6]}"


def _price_check(price: Decimal) -> None:
    """A course is free (0) or costs at least Razorpay's minimum order; anything between is unbuyable."""
    if 0 < price < COURSE_PRICE_MIN_PAID:
        raise ApplicationError(
            COURSE_PRICE_TOO_LOW, code=CatalogErrorCode.PRICE_BELOW_MINIMUM, errors={"price": [COURSE_PRICE_TOO_LOW]}
        )


@transaction.atomic
def course_create(
    *,
    instructor,
    title: str,
    domain: Domain,
    description: str = "",
    price: Decimal = Decimal("0.00"),
    thumbnail_url: str = "",
) -> Course:
    """A new draft course. Its slug comes from the title and never changes, so shared links keep working."""
    _price_check(price)
    for slug in _slug_candidates(title):
        try:
            # The unique index decides between two courses racing for the same slug.
            with transaction.atomic():
                return Course.objects.create(
                    instructor=instructor,
                    title=title,
                    slug=slug,
                    domain=domain,
                    description=description,
                    price=price,
                    thumbnail_url=thumbnail_url,
                )
        except IntegrityError:
            if not Course.objects.filter(slug=slug).exists():
                raise
    raise ConflictError(
        "Could not find a free address for this course; change its title.", code=CatalogErrorCode.SLUG_CONFLICT
    )


@transaction.atomic
def course_update(*, course: Course, data: dict[str, Any]) -> Course:
    """Edit a course's description fields. Status changes only through submit and the admin review."""
    if "price" in data:
        _price_check(data["price"])
    # Compared with the stored row, locked: a caller's copy may already carry the new values (the admin's
    # form writes them onto it before save_model), and model_update writes only what differs.
    course, _ = model_update(instance=_course_lock(course), fields=COURSE_EDITABLE_FIELDS, data=data)
    return course


def _content_counts(*, lessons: models.QuerySet, modules: models.QuerySet | None = None) -> dict[str, int]:
    counts = {"lessons": lessons.count()}
    if modules is not None:
        counts["modules"] = modules.count()
        counts["quiz_questions"] = modules.aggregate(questions=Coalesce(Sum("quiz_question_count"), 0))["questions"]
    return counts


def course_has_learners(*, course_id: UUID) -> bool:
    """Anyone ever enrolled (revoked learners included): their progress and quiz history hang off the content."""
    return Enrollment.objects.filter(course_id=course_id).exists()


def content_delete_allowed_check(*, course_id: UUID, what: str) -> None:
    """Content of a course with learners is never hard-deleted: it is edited, or the course archived.

    The foreign keys of learners' history (lesson progress, quiz attempts) PROTECT the content too;
    this check says so first, in words, for everyone (course staff and admins alike).
    """
    if course_has_learners(course_id=course_id):
        raise ConflictError(
            f"This course has learners, and deleting {what} would erase their progress and quiz history. "
            "Edit it instead, or archive the course to withdraw it.",
            code=CatalogErrorCode.COURSE_HAS_LEARNERS,
        )


@transaction.atomic
def course_delete(*, course: Course, actor) -> None:
    """Delete a course with its modules, lessons and quizzes (audited). Courses that learners or buyers
    reference are protected by their foreign keys (enrollments, payments, certificates), whoever owns them."""

    modules = Module.objects.filter(course_id=course.pk)
    details = _content_counts(lessons=Lesson.objects.filter(module__course_id=course.pk), modules=modules)
    audit_record(actor=actor, action="course.delete", target=course, details={"status": course.status, **details})
    try:
        with transaction.atomic():
            course.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise ConflictError(
            "This course has enrollments or payments and cannot be deleted: archive it instead.",
            code=CatalogErrorCode.COURSE_HAS_LEARNERS,
        ) from exc


# Lock order for content writes: the course's row first, always. Every write to a course, its modules, its
# lessons or its quiz questions starts by locking the course row (``_course_lock``, ``module_lock``) and takes
# no other content lock before it, so two content writes in one course queue instead of deadlocking. (The
# search-document triggers update the course row whenever a module or lesson is added, removed or renamed: a
# write that locked a module first and then reached the course could deadlock with one holding the course
# and reaching for the module.)


def _locked(queryset, pk, what: str, *, of: tuple[str, ...] = ()):
    """The row, locked (``of``: only the rows of those relations); 404 when a concurrent request deleted it
    after the caller read it."""
    row = queryset.select_for_update(of=of).filter(pk=pk).first()
    if row is None:
        raise NotFoundError(f"This {what} no longer exists.")
    return row


def _course_lock(course: Course) -> Course:
    return _locked(Course.objects, course.pk, "course")


def module_lock(*, module_id: UUID) -> Module:
    """The module (with its course), its course's row locked: every write to the module's lessons or quiz
    (questions, their order, their count) holds it. One statement; the course row is the one content lock
    (see ``_locked``), so this queues behind any other write to the course and its modules."""
    return _locked(Module.objects.select_related("course"), module_id, "module", of=("course",))


def _status_conflict(course: Course, action: str) -> ConflictError:
    return ConflictError(
        f"A course in status '{course.status}' cannot be {action}.", code=CatalogErrorCode.COURSE_STATUS_CONFLICT
    )


def _usable_check(course: Course, action: str) -> None:
    """Only a course a learner can use goes to review or the catalogue: at least one lesson to open."""
    if not Lesson.objects.filter(module__course_id=course.pk).exists():
        raise ConflictError(
            f"This course cannot be {action}: it needs at least one module with at least one lesson.",
            code=CatalogErrorCode.COURSE_INCOMPLETE,
        )


@transaction.atomic
def course_submit(*, course: Course) -> Course:
    """The instructor asks for review: draft or rejected → pending_review, once it has a lesson."""
    course = _course_lock(course)
    if course.status not in (Course.Status.DRAFT, Course.Status.REJECTED):
        raise _status_conflict(course, "submitted for review")
    _usable_check(course, "submitted for review")
    course.status = Course.Status.PENDING_REVIEW
    course.submitted_at = timezone.now()
    course.save(update_fields=["status", "submitted_at", "updated_at"])
    course_submitted.send(sender=Course, course=course, submitted_at=course.submitted_at)
    return course


@transaction.atomic
def course_approve(*, course: Course, actor) -> Course:
    """An admin publishes a course waiting for review."""

    course = _course_lock(course)
    if course.status != Course.Status.PENDING_REVIEW:
        raise _status_conflict(course, "approved")
    # Lessons may have been deleted while the course waited for review.
    _usable_check(course, "published")
    course.status = Course.Status.PUBLISHED
    # A course published before keeps its first publication date (the catalogue's "newest").
    course.published_at = course.published_at or timezone.now()
    course.rejection_reason = ""
    course.save(update_fields=["status", "published_at", "rejection_reason", "updated_at"])
    audit_record(actor=actor, action="course.approve", target=course, details={})
    course_approved.send(sender=Course, course=course, actor=actor)
    return course


@transaction.atomic
def course_reject(*, course: Course, actor, reason: str) -> Course:
    """An admin sends a course waiting for review back to its instructor with a reason."""

    reason = reason.strip()
    if not reason:
        # ApplicationError's own code, "invalid": field errors, like DRF's validation errors.
        raise ApplicationError("A reason is required.", errors={"reason": ["This field is required."]})
    course = _course_lock(course)
    if course.status != Course.Status.PENDING_REVIEW:
        raise _status_conflict(course, "rejected")
    course.status = Course.Status.REJECTED
    course.rejection_reason = reason
    course.save(update_fields=["status", "rejection_reason", "updated_at"])
    audit_record(actor=actor, action="course.reject", target=course, details={"reason": reason})
    course_rejected.send(sender=Course, course=course, actor=actor, reason=reason, rejected_at=course.updated_at)
    return course


@transaction.atomic
def course_archive(*, course: Course, actor) -> Course:
    """Withdraw a course from the catalogue. Its learners keep access and history; nobody new can enroll."""

    course = _course_lock(course)
    if course.status == Course.Status.ARCHIVED:
        raise _status_conflict(course, "archived")
    previous = course.status
    course.status = Course.Status.ARCHIVED
    course.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="course.archive", target=course, details={"previous_status": previous})
    return course


@transaction.atomic
def course_unarchive(*, course: Course, actor) -> Course:
    """Undo an archive. An admin puts a course that had been published back in the catalogue (it must still
    have a lesson); its instructor gets it back as a draft to edit and submit for review again, and so does
    an admin for a course that was never published. Learners keep access throughout."""

    course = _course_lock(course)
    if course.status != Course.Status.ARCHIVED:
        raise _status_conflict(course, "unarchived")
    if actor.is_admin and course.published_at is not None:
        _usable_check(course, "published")
        course.status = Course.Status.PUBLISHED
    else:
        course.status = Course.Status.DRAFT
    course.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="course.unarchive", target=course, details={"status": course.status})
    return course


# ----------------------------------------------------------------------------------------------
# Curriculum order: modules within a course, lessons within a module
# ----------------------------------------------------------------------------------------------


def _siblings(queryset: models.QuerySet, *, exclude_pk: UUID | None = None) -> list[tuple[UUID, int]]:
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return list(queryset.order_by("position").values_list("pk", "position"))


def _move(model: type[models.Model], siblings_qs: models.QuerySet, obj, requested: int) -> int:
    others = _siblings(siblings_qs, exclude_pk=obj.pk)
    at = position_clamp(requested, last=len(others) + 1)
    ordered = [*others[: at - 1], (obj.pk, obj.position), *others[at - 1 :]]
    positions_renumber(model.objects, ordered)
    catalogue_changed()  # the renumbering is an UPDATE: no save() signal
    return at


def _progress_recompute_queue(course_id: UUID) -> None:
    """After lessons were added or removed, learners' percentages are recounted in the background."""
    from catalog.tasks import course_progress_recompute_task  # tasks import this module

    if Enrollment.objects.filter(course_id=course_id).exists():
        enqueue_on_commit(course_progress_recompute_task, str(course_id))


@transaction.atomic
def module_create(
    *,
    course: Course,
    title: str,
    description: str = "",
    position: int | None = None,
    pass_mark: int = 60,
    **quiz_settings: Any,
) -> Module:
    """Insert a module at ``position`` (default: last), shifting the ones after it down.

    ``quiz_settings`` are any of ``MODULE_QUIZ_SETTINGS`` (how the module's quiz is taken).
    """
    unknown = set(quiz_settings) - set(MODULE_QUIZ_SETTINGS)
    if unknown:
        raise TypeError(f"module_create() got unexpected settings: {sorted(unknown)}")
    _course_lock(course)
    siblings = _siblings(Module.objects.filter(course=course))
    at = position_clamp(position, last=len(siblings) + 1)
    positions_renumber(Module.objects, siblings, hole=at)
    return Module.objects.create(
        course=course, title=title, description=description, position=at, pass_mark=pass_mark, **quiz_settings
    )


@transaction.atomic
def module_update(*, module: Module, data: dict[str, Any]) -> Module:
    """Edit a module; a new ``position`` moves it and renumbers its siblings. It never changes course."""
    _course_lock(module.course)
    module = Module.objects.select_related("course").get(pk=module.pk)
    module, _ = model_update(
        instance=module, fields=("title", "description", "pass_mark", *MODULE_QUIZ_SETTINGS), data=data
    )
    if data.get("position") is not None:
        module.position = _move(Module, Module.objects.filter(course_id=module.course_id), module, data["position"])
    return module


@transaction.atomic
def module_delete(*, module: Module, actor) -> None:
    """Delete a module with its lessons and quiz (audited); the modules after it move up.

    Refused (409 ``course_has_learners``) once the course has learners.
    """

    course = _course_lock(module.course)
    content_delete_allowed_check(course_id=course.pk, what="a module")
    details = _content_counts(lessons=Lesson.objects.filter(module=module), modules=Module.objects.filter(pk=module.pk))
    had_lessons = details["lessons"] > 0
    audit_record(actor=actor, action="module.delete", target=module, details={"course": str(course.pk), **details})
    try:
        with transaction.atomic():
            module.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise ConflictError("Other records still refer to this module.", code=CatalogErrorCode.CONTENT_IN_USE) from exc
    positions_renumber(Module.objects, _siblings(Module.objects.filter(course=course)), hole=None)
    if had_lessons:  # only a learner who enrolled meanwhile can need the recount
        _progress_recompute_queue(course.pk)


@transaction.atomic
def lesson_create(
    *,
    module: Module,
    title: str,
    description: str = "",
    position: int | None = None,
    video_url: str = "",
    materials_url: str = "",
    subtitle_url: str = "",
    duration_seconds: int = 0,
    is_preview: bool = False,
) -> Lesson:
    """Insert a lesson at ``position`` (default: last); learners' percentages are recounted."""
    module = module_lock(module_id=module.pk)
    siblings = _siblings(Lesson.objects.filter(module=module))
    at = position_clamp(position, last=len(siblings) + 1)
    positions_renumber(Lesson.objects, siblings, hole=at)
    lesson = Lesson.objects.create(
        module=module,
        title=title,
        description=description,
        position=at,
        video_url=video_url,
        materials_url=materials_url,
        subtitle_url=subtitle_url,
        duration_seconds=duration_seconds,
        is_preview=is_preview,
    )
    _progress_recompute_queue(module.course_id)
    return lesson


LESSON_EDITABLE_FIELDS = (
    "title",
    "description",
    "video_url",
    "materials_url",
    "subtitle_url",
    "duration_seconds",
    "is_preview",
)


@transaction.atomic
def lesson_update(*, lesson: Lesson, data: dict[str, Any]) -> Lesson:
    """Edit a lesson; a new ``position`` moves it within its module. It never changes module."""
    module_lock(module_id=lesson.module_id)
    lesson = Lesson.objects.select_related("module").get(pk=lesson.pk)
    lesson, _ = model_update(instance=lesson, fields=LESSON_EDITABLE_FIELDS, data=data)
    if data.get("position") is not None:
        lesson.position = _move(Lesson, Lesson.objects.filter(module_id=lesson.module_id), lesson, data["position"])
    return lesson


@transaction.atomic
def lesson_delete(*, lesson: Lesson, actor) -> None:
    """Delete a lesson (audited); the lessons after it move up.

    Refused (409 ``course_has_learners``) once the course has learners.
    """

    module = module_lock(module_id=lesson.module_id)
    content_delete_allowed_check(course_id=module.course_id, what="a lesson")
    audit_record(
        actor=actor,
        action="lesson.delete",
        target=lesson,
        details={"course": str(module.course_id), "module": str(module.pk)},
    )
    try:
        with transaction.atomic():
            lesson.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise ConflictError("Other records still refer to this lesson.", code=CatalogErrorCode.CONTENT_IN_USE) from exc
    positions_renumber(Lesson.objects, _siblings(Lesson.objects.filter(module=module)), hole=None)
    _progress_recompute_queue(module.course_id)  # only a learner who enrolled meanwhile can need the recount


# ----------------------------------------------------------------------------------------------
# Enrollment and progress
# ----------------------------------------------------------------------------------------------


# No savepoint inside the caller's transaction: nothing here expects a database error.
@transaction.atomic(savepoint=False)
def enrollment_grant(*, user, course: Course, source: str) -> tuple[Enrollment, bool]:
    """Give ``user`` an active enrollment (new or reactivated). Idempotent: returns (enrollment, changed)."""
    enrollment = Enrollment(user=user, course=course, source=source)
    # Inserted first (a first enrollment is the common case: one statement, not a read and then a write); the
    # unique (user, course) keeps it single against a concurrent grant and leaves an existing one as it was.
    if model_insert_if_absent(instance=enrollment):
        Course.objects.filter(pk=course.pk).update(learner_count=F("learner_count") + 1)
        return enrollment, True
    enrollment = enrollment_any_locked_get(user=user, course_id=course.pk)
    if enrollment is None:  # deleted (by staff) since the insert met it: grant afresh
        return enrollment_grant(user=user, course=course, source=source)
    if enrollment.status == Enrollment.Status.ACTIVE:
        return enrollment, False
    enrollment.status = Enrollment.Status.ACTIVE
    enrollment.source = source
    enrollment.revoked_at = None
    enrollment.revoke_reason = ""
    enrollment.save(update_fields=["status", "source", "revoked_at", "revoke_reason", "updated_at"])
    enrollment_restored.send(sender=Enrollment, user_id=user.pk, course_id=course.pk, enrollment=enrollment)
    Course.objects.filter(pk=course.pk).update(learner_count=F("learner_count") + 1)
    return enrollment, True


def enrollment_create(*, user, course: Course) -> Enrollment:
    """A learner joins a free, published course."""
    if course.status != Course.Status.PUBLISHED:
        raise ConflictError("This course is not open for enrollment.", code=CatalogErrorCode.COURSE_NOT_PUBLISHED)
    # Checked before the price: someone who already bought the course is told so, not asked to pay.
    if Enrollment.objects.filter(user=user, course=course, status=Enrollment.Status.ACTIVE).exists():
        raise ConflictError("You are already enrolled in this course.", code=CatalogErrorCode.ALREADY_ENROLLED)
    if not course.is_free:
        raise PaymentRequiredError("This course is paid: buy it to enroll.", code=CommonErrorCode.PAYMENT_REQUIRED)
    enrollment, changed = enrollment_grant(user=user, course=course, source=Enrollment.Source.FREE)
    if not changed:
        raise ConflictError("You are already enrolled in this course.", code=CatalogErrorCode.ALREADY_ENROLLED)
    return enrollment


@transaction.atomic
def enrollment_revoke(*, enrollment: Enrollment, reason: str) -> Enrollment:
    """Take access away (refund, admin decision). Progress and history are kept."""
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.status == Enrollment.Status.REVOKED:
        return enrollment
    enrollment.status = Enrollment.Status.REVOKED
    enrollment.revoked_at = timezone.now()
    enrollment.revoke_reason = reason[:255]
    enrollment.save(update_fields=["status", "revoked_at", "revoke_reason", "updated_at"])
    Course.objects.filter(pk=enrollment.course_id, learner_count__gt=0).update(learner_count=F("learner_count") - 1)
    enrollment_revoked.send(
        sender=Enrollment, user_id=enrollment.user_id, course_id=enrollment.course_id, enrollment=enrollment
    )
    return enrollment


# ----------------------------------------------------------------------------------------------
# Wishlist
# ----------------------------------------------------------------------------------------------


def wishlist_add(*, user, course: Course) -> tuple[WishlistItem, bool]:
    """Save a published course the learner has not enrolled in; idempotent: returns (item, created)."""
    if course.status != Course.Status.PUBLISHED:
        raise ConflictError("Only courses in the catalogue can be saved.", code=CatalogErrorCode.COURSE_NOT_PUBLISHED)
    if Enrollment.objects.filter(user_id=user.pk, course_id=course.pk, status=Enrollment.Status.ACTIVE).exists():
        raise ConflictError("You are already enrolled in this course.", code=CatalogErrorCode.ALREADY_ENROLLED)
    try:
        with transaction.atomic():
            return WishlistItem.objects.get_or_create(user=user, course=course)
    except IntegrityError:
        # A concurrent request saved it first; the unique constraint kept it single.
        return WishlistItem.objects.get(user=user, course=course), False


def wishlist_remove(*, user, course_id: UUID) -> None:
    deleted, _ = WishlistItem.objects.filter(user_id=user.pk, course_id=course_id).delete()
    if not deleted:
        raise NotFoundError("This course is not in your wishlist.")


# ----------------------------------------------------------------------------------------------
# Ratings (the reviews app's counted reviews, denormalised on the course)
# ----------------------------------------------------------------------------------------------

RATING_FIELDS = [f"rating_{stars}_count" for stars in RATING_STARS]


def _rating_save(course: Course, counts: list[int]) -> Course:
    total = sum(counts)
    weighted = sum(stars * n for stars, n in zip(RATING_STARS, counts, strict=True))
    for field, n in zip(RATING_FIELDS, counts, strict=True):
        setattr(course, field, n)
    course.rating_count = total
    course.rating_average = (Decimal(weighted) / total).quantize(Decimal("0.01")) if total else Decimal("0.00")
    course.save(update_fields=[*RATING_FIELDS, "rating_count", "rating_average"])
    return course


@transaction.atomic
def course_rating_change(*, course_id: UUID, remove: int | None = None, add: int | None = None) -> Course:
    """A counted review appeared (``add``), went (``remove``) or changed its stars (both). The course's row
    lock serialises concurrent reviews, so the histogram, count and average stay exact."""
    course = Course.objects.select_for_update().only("pk", *RATING_FIELDS, "rating_count", "rating_average")
    course = course.get(pk=course_id)
    counts = [getattr(course, field) for field in RATING_FIELDS]
    if remove is not None:
        counts[remove - 1] = max(0, counts[remove - 1] - 1)
    if add is not None:
        counts[add - 1] += 1
    return _rating_save(course, counts)


@transaction.atomic
def course_rating_set(*, course_id: UUID, histogram: dict[int, int]) -> bool:
    """Overwrite a course's figures with a recount (the repair command); True if they differed."""
    course = Course.objects.select_for_update().only("pk", *RATING_FIELDS, "rating_count", "rating_average")
    course = course.get(pk=course_id)
    counts = [histogram.get(stars, 0) for stars in RATING_STARS]
    if counts == [getattr(course, field) for field in RATING_FIELDS]:
        return False
    _rating_save(course, counts)
    return True


def _percent(enrollment: Enrollment, done: int, total: int) -> int:
    """A completed course stays at 100 when lessons are added later (its certificate stays valid too);
    the lessons it has not seen yet are reported apart (``new_lessons`` in the API)."""
    if enrollment.completed_at is not None:
        return 100
    return min(100, done * 100 // total) if total else 0


@transaction.atomic
def course_progress_recompute(*, course_id: UUID) -> int:
    """Recount every learner's progress after the course's lessons changed; returns how many changed.

    Learners who now have every remaining lesson done may complete the course here.
    """
    total = Lesson.objects.filter(module__course_id=course_id).count()
    # Locked in primary-key order, the same order for every caller, so two recounts cannot deadlock.
    enrollments = list(
        Enrollment.objects.select_for_update().filter(course_id=course_id).select_related("user").order_by("pk")
    )
    done = dict(
        LessonProgress.objects.filter(course_id=course_id)
        .values("user_id")
        .annotate(n=Count("pk"))
        .values_list("user_id", "n")
    )
    now = timezone.now()
    changed = []
    for enrollment in enrollments:
        count = done.get(enrollment.user_id, 0)
        percent = _percent(enrollment, count, total)
        if (enrollment.completed_lessons, enrollment.progress_percent) != (count, percent):
            enrollment.completed_lessons, enrollment.progress_percent, enrollment.updated_at = count, percent, now
            changed.append(enrollment)
    Enrollment.objects.bulk_update(changed, ["completed_lessons", "progress_percent", "updated_at"], batch_size=500)
    for enrollment in enrollments:
        if enrollment.completed_at is None and enrollment.is_active and 0 < total <= enrollment.completed_lessons:
            course_completion_evaluate(enrollment=enrollment, total_lessons=total)
    return len(changed)


def course_completion_evaluate(*, enrollment: Enrollment, total_lessons: int | None = None) -> bool:
    """Mark the course completed when every lesson is done and every module quiz passed.

    The caller holds ``enrollment``'s row lock (select_for_update). Returns True only the one time
    completion happens. ``total_lessons`` is the course's lesson count when the caller has just read it.
    """
    if enrollment.completed_at is not None or enrollment.status != Enrollment.Status.ACTIVE:
        return False
    if total_lessons is None:
        total_lessons = course_lesson_count(course_id=enrollment.course_id)
    total = total_lessons
    if total == 0 or enrollment.completed_lessons < total:
        return False
    if unpassed_quiz_module_ids(user=enrollment.user, course_id=enrollment.course_id):
        return False
    enrollment.completed_at = timezone.now()
    enrollment.progress_percent = 100
    enrollment.save(update_fields=["completed_at", "progress_percent", "updated_at"])
    course_completed.send(sender=Course, user=enrollment.user, course=enrollment.course, enrollment=enrollment)
    return True


@transaction.atomic
def course_completion_check(*, user, course_id: UUID) -> bool:
    """Re-evaluate completion from outside the catalog (e.g. after a quiz pass)."""
    enrollment = enrollment_locked_get(user=user, course_id=course_id)
    if enrollment is None:
        return False
    return course_completion_evaluate(enrollment=enrollment, total_lessons=enrollment.total_lessons)


@transaction.atomic
def lesson_complete(*, user, lesson: Lesson) -> Enrollment:
    """Record that ``user`` finished ``lesson``. Idempotent; returns the updated enrollment, loaded as
    ``enrollment_list_for_user`` loads it (course, last lesson, ``total_lessons``), ready to be shown."""
    course_id = lesson.module.course_id
    # The row lock serialises one learner's completions in a course, so completion fires once. Only the
    # enrollment row is locked (``of``): the course and lessons joined in for the answer are only read.
    enrollment = enrollment_lock_for_progress(user=user, course_id=course_id)
    if enrollment is None:
        raise ForbiddenError("Enroll in this course to track progress.", code=CatalogErrorCode.NOT_ENROLLED)
    created = model_insert_if_absent(
        instance=LessonProgress(user=user, lesson=lesson, course_id=course_id, completed_at=timezone.now())
    )
    enrollment.last_lesson = lesson
    # Counted after the lock is held (a count read with the locking statement could miss a completion
    # committed while it waited); the lesson total came with the enrollment.
    done = lessons_done_count(user=user, course_id=course_id)
    enrollment.completed_lessons = done
    enrollment.progress_percent = _percent(enrollment, done, enrollment.total_lessons)
    enrollment.save(update_fields=["completed_lessons", "progress_percent", "last_lesson", "updated_at"])
    if created:
        lesson_completed.send(sender=Lesson, user=user, lesson=lesson, enrollment=enrollment)
    course_completion_evaluate(enrollment=enrollment, total_lessons=enrollment.total_lessons)
    return enrollment


# --- module quizzes ---------------------------------------------------------------------------------
# The quiz app builds on the catalog: it reports its questions and passes here, and takes its locks here.


def enrollment_lock(*, user, course_id: UUID) -> Enrollment | None:
    """Lock ``user``'s active enrollment in the course (the lock completion holds), or None."""
    return enrollment_locked_get(user=user, course_id=course_id)


def module_quiz_question_count_set(*, module_id: UUID, count: int) -> None:
    """Record how many quiz questions the module has now (0 = no quiz: it counts as passed)."""
    if Module.objects.filter(pk=module_id).exclude(quiz_question_count=count).update(quiz_question_count=count):
        catalogue_changed()  # shown on the curriculum; an UPDATE sends no save() signal


def module_quiz_pass_record(*, user, module: Module, passed_at=None) -> bool:
    """Record that ``user`` passed ``module``'s quiz; True only the first time.

    One insert that the unique (user, module) constraint turns into nothing after the first pass; the caller
    holds the learner's enrollment lock (``enrollment_lock``) besides.
    """
    return model_insert_if_absent(
        instance=ModuleQuizPass(
            user=user, module_id=module.pk, course_id=module.course_id, passed_at=passed_at or timezone.now()
        )
    )


def lesson_position_save(*, user, lesson: Lesson, position_seconds: int, enrolled: bool) -> LessonPosition:
    """Store where ``user`` stopped in ``lesson``'s video: one INSERT … ON CONFLICT DO UPDATE, nothing else.

    ``enrolled`` (an active enrollment in the lesson's course) is read by the caller in the same query that
    loads the lesson, so a report costs two statements. The latest report wins, as the device sent it: a
    learner who rewinds to re-watch resumes there (GREATEST would pin the furthest point ever reached).
    The position is bounded by the lesson's duration when it is known.
    """
    if not enrolled:
        raise ForbiddenError("Enroll in this course to save your place.", code=CatalogErrorCode.NOT_ENROLLED)
    if lesson.duration_seconds and position_seconds > lesson.duration_seconds:
        message = f"The lesson is {lesson.duration_seconds} seconds long."
        raise ApplicationError(
            message, code=CatalogErrorCode.POSITION_BEYOND_DURATION, errors={"position_seconds": [message]}
        )
    position = LessonPosition(
        user=user,
        lesson=lesson,
        course_id=lesson.module.course_id,
        position_seconds=position_seconds,
        updated_at=timezone.now(),
    )
    LessonPosition.objects.bulk_create(
        [position],
        update_conflicts=True,
        unique_fields=["user", "lesson"],
        update_fields=["position_seconds", "updated_at"],
    )
    return position
