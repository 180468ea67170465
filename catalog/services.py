"""Business rules of the catalog: enrollment, lesson progress and course completion.

Course completion (all lessons done and every module quiz passed) is decided in exactly one place,
``course_completion_evaluate``, which sends ``catalog.signals.course_completed`` once per learner and
course. Callers hold the enrollment's row lock, so concurrent completions cannot fire it twice.
"""

from __future__ import annotations

from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from catalog.models import Course, Enrollment, Lesson, LessonProgress
from catalog.signals import course_completed, lesson_completed
from common.exceptions import ConflictError, ForbiddenError, PaymentRequiredError


@transaction.atomic
def enrollment_grant(*, user, course: Course, source: str) -> tuple[Enrollment, bool]:
    """Give ``user`` an active enrollment (new or reactivated). Idempotent: returns (enrollment, changed)."""
    enrollment = Enrollment.objects.select_for_update().filter(user=user, course=course).first()
    if enrollment is None:
        try:
            with transaction.atomic():
                enrollment = Enrollment.objects.create(user=user, course=course, source=source)
        except IntegrityError:
            # A concurrent request created it first; the unique constraint kept it single.
            return Enrollment.objects.get(user=user, course=course), False
    elif enrollment.status == Enrollment.Status.ACTIVE:
        return enrollment, False
    else:
        enrollment.status = Enrollment.Status.ACTIVE
        enrollment.source = source
        enrollment.revoked_at = None
        enrollment.revoke_reason = ""
        enrollment.save(update_fields=["status", "source", "revoked_at", "revoke_reason", "updated_at"])
    Course.objects.filter(pk=course.pk).update(learner_count=F("learner_count") + 1)
    return enrollment, True


def enrollment_create(*, user, course: Course) -> Enrollment:
    """A learner joins a free, published course."""
    if course.status != Course.Status.PUBLISHED:
        raise ConflictError("This course is not open for enrollment.", code="course_not_published")
    if not course.is_free:
        raise PaymentRequiredError("This course is paid: buy it to enroll.", code="payment_required")
    enrollment, changed = enrollment_grant(user=user, course=course, source=Enrollment.Source.FREE)
    if not changed:
        raise ConflictError("You are already enrolled in this course.", code="already_enrolled")
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
    return enrollment


def enrollment_progress_recompute(*, enrollment: Enrollment) -> Enrollment:
    total = Lesson.objects.filter(module__course_id=enrollment.course_id).count()
    done = LessonProgress.objects.filter(user_id=enrollment.user_id, course_id=enrollment.course_id).count()
    enrollment.completed_lessons = done
    enrollment.progress_percent = min(100, done * 100 // total) if total else 0
    enrollment.save(update_fields=["completed_lessons", "progress_percent", "last_lesson", "updated_at"])
    return enrollment


def course_completion_evaluate(*, enrollment: Enrollment) -> bool:
    """Mark the course completed when every lesson is done and every module quiz passed.

    The caller holds ``enrollment``'s row lock (select_for_update). Returns True only the one time
    completion happens.
    """
    from assessments.selectors import unpassed_quiz_module_ids  # assessments builds on catalog

    if enrollment.completed_at is not None or enrollment.status != Enrollment.Status.ACTIVE:
        return False
    total = Lesson.objects.filter(module__course_id=enrollment.course_id).count()
    if total == 0 or enrollment.completed_lessons < total:
        return False
    if unpassed_quiz_module_ids(user=enrollment.user, course_id=enrollment.course_id):
        return False
    enrollment.completed_at = timezone.now()
    enrollment.save(update_fields=["completed_at", "updated_at"])
    course_completed.send(sender=Course, user=enrollment.user, course=enrollment.course, enrollment=enrollment)
    return True


@transaction.atomic
def course_completion_check(*, user, course_id: UUID) -> bool:
    """Re-evaluate completion from outside the catalog (e.g. after a quiz pass)."""
    enrollment = (
        Enrollment.objects.select_for_update()
        .filter(user=user, course_id=course_id, status=Enrollment.Status.ACTIVE)
        .first()
    )
    if enrollment is None:
        return False
    return course_completion_evaluate(enrollment=enrollment)


@transaction.atomic
def lesson_complete(*, user, lesson: Lesson) -> Enrollment:
    """Record that ``user`` finished ``lesson``. Idempotent; returns the updated enrollment."""
    course_id = lesson.module.course_id
    # The row lock serialises one learner's completions in a course, so completion fires once.
    enrollment = (
        Enrollment.objects.select_for_update()
        .filter(user=user, course_id=course_id, status=Enrollment.Status.ACTIVE)
        .first()
    )
    if enrollment is None:
        raise ForbiddenError("Enroll in this course to track progress.", code="not_enrolled")
    _, created = LessonProgress.objects.get_or_create(
        user=user, lesson=lesson, defaults={"course_id": course_id, "completed_at": timezone.now()}
    )
    enrollment.last_lesson = lesson
    enrollment_progress_recompute(enrollment=enrollment)
    if created:
        lesson_completed.send(sender=Lesson, user=user, lesson=lesson, enrollment=enrollment)
    course_completion_evaluate(enrollment=enrollment)
    return enrollment
