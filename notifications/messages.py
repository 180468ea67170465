"""What each kind of notification says and to whom: one builder per kind, reading the event's object by id.

A builder returns ``None`` when the object is gone (or no longer warrants a notification); the task then
does nothing. Texts are plain; the e-mail templates escape them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from uuid import UUID

from accounts.models import User
from billing.models import Payment
from catalog.models import Course, Enrollment
from certificates.models import Certificate
from common.money import paise_format
from forum.models import Reply
from notifications.models import Announcement, Kind
from reviews.models import Review


@dataclass(frozen=True)
class Message:
    # User ids: a list, or a flat ``values_list`` queryset of one id column (an announcement's learners), which
    # delivery reads in keyset pages of DELIVERY_BATCH rather than all at once.
    recipients: Iterable[UUID]
    title: str
    body: str
    link: str


def _course_submitted(source_id: UUID) -> Message | None:
    course = Course.objects.select_related("instructor").filter(pk=source_id).first()
    if course is None:
        return None
    admins = User.objects.filter(role=User.Role.ADMIN, is_active=True, is_suspended=False).values_list("pk", flat=True)
    return Message(
        recipients=admins,
        title=f"Course submitted for review: {course.title}",
        body=f"{course.instructor.full_name or course.instructor.email} submitted “{course.title}” for review.",
        link=f"/admin/review/{course.pk}",
    )


def _course_decided(kind: str) -> Callable[[UUID], Message | None]:
    def build(source_id: UUID) -> Message | None:
        course = Course.objects.filter(pk=source_id).first()
        if course is None:
            return None
        if kind == Kind.COURSE_APPROVED:
            title = f"Your course “{course.title}” was approved"
            body = "It is now published in the catalogue."
        else:
            title = f"Your course “{course.title}” was not approved"
            body = f"Reason: {course.rejection_reason}\nEdit the course and submit it again when it is ready."
        return Message(recipients=[course.instructor_id], title=title, body=body, link=f"/courses/{course.pk}")

    return build


def _certificate_issued(source_id: UUID) -> Message | None:
    certificate = Certificate.objects.select_related("course").filter(pk=source_id).first()
    if certificate is None:
        return None
    return Message(
        recipients=[certificate.user_id],
        title=f"Your certificate for “{certificate.course.title}” is ready",
        body=f"Congratulations! Certificate {certificate.certificate_number} is in your profile.",
        link=f"/certificates/{certificate.pk}",
    )


def _reply(source_id: UUID) -> Reply | None:
    return Reply.objects.select_related("post", "user").filter(pk=source_id, deleted_at__isnull=True).first()


def _forum_reply(source_id: UUID) -> Message | None:
    reply = _reply(source_id)
    if reply is None:
        return None
    return Message(
        recipients=[reply.post.user_id],
        title=f"New reply to “{reply.post.title}”",
        body=f"{reply.user.full_name or 'Someone'} replied: {reply.body[:300]}",
        link=f"/courses/{reply.post.course_id}/forum/{reply.post_id}",
    )


def _answer_accepted(source_id: UUID) -> Message | None:
    reply = _reply(source_id)
    if reply is None:
        return None
    return Message(
        recipients=[reply.user_id],
        title=f"Your answer to “{reply.post.title}” was accepted",
        body="Thank you for helping a fellow learner.",
        link=f"/courses/{reply.post.course_id}/forum/{reply.post_id}",
    )


def _refund_processed(source_id: UUID) -> Message | None:
    payment = Payment.objects.select_related("course").filter(pk=source_id).first()
    if payment is None:
        return None
    return Message(
        recipients=[payment.user_id],
        title=f"Refund processed: {payment.course.title}",
        body=f"{paise_format(payment.amount)} is on its way back to you; the course has left your library.",
        link="/payments",
    )


def _account_suspended(source_id: UUID) -> Message | None:
    user = User.objects.filter(pk=source_id, is_suspended=True).first()
    if user is None:
        return None  # unsuspended before the task ran
    return Message(
        recipients=[user.pk],
        title="Your account has been suspended",
        body=f"Reason: {user.suspension_reason}\nReply to this e-mail if you think this is a mistake.",
        link="",
    )


def _announcement(source_id: UUID) -> Message | None:
    announcement = Announcement.objects.select_related("course").filter(pk=source_id).first()
    if announcement is None:
        return None  # removed before it went out
    learners = (
        Enrollment.objects.filter(course_id=announcement.course_id, status=Enrollment.Status.ACTIVE)
        .exclude(user_id=announcement.author_id)
        .values_list("user_id", flat=True)
    )
    return Message(
        recipients=learners,
        title=f"{announcement.course.title}: {announcement.title}",
        body=announcement.body,
        link=f"/courses/{announcement.course_id}/announcements",
    )


def _review_received(source_id: UUID) -> Message | None:
    review = Review.objects.select_related("course", "user").filter(pk=source_id).first()
    if review is None:
        return None  # deleted before the task ran
    stars = "★" * review.rating + "☆" * (5 - review.rating)
    return Message(
        recipients=[review.course.instructor_id],
        title=f"New review of “{review.course.title}”: {stars}",
        body=f"{review.user.full_name or 'A learner'} wrote: {review.body[:300]}" if review.body else "No text.",
        link=f"/courses/{review.course_id}/reviews",
    )


BUILDERS: dict[str, Callable[[UUID], Message | None]] = {
    Kind.COURSE_SUBMITTED: _course_submitted,
    Kind.COURSE_APPROVED: _course_decided(Kind.COURSE_APPROVED),
    Kind.COURSE_REJECTED: _course_decided(Kind.COURSE_REJECTED),
    Kind.CERTIFICATE_ISSUED: _certificate_issued,
    Kind.FORUM_REPLY: _forum_reply,
    Kind.ANSWER_ACCEPTED: _answer_accepted,
    Kind.REFUND_PROCESSED: _refund_processed,
    Kind.ACCOUNT_SUSPENDED: _account_suspended,
    Kind.ANNOUNCEMENT: _announcement,
    Kind.REVIEW_RECEIVED: _review_received,
}


def message_build(*, kind: str, source_id: UUID) -> Message | None:
    builder = BUILDERS.get(kind)
    return builder(source_id) if builder is not None else None
