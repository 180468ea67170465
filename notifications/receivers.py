"""Receivers of the other apps' domain events. Each runs inside the sender's transaction and only queues
``notifications.tasks.notification_event_deliver`` for after the commit: a rolled-back event notifies nobody.

The source key names the event, not just the object (a course is submitted, rejected and submitted again),
so each event notifies once however often its task is retried.
"""

from __future__ import annotations

from notifications.models import Kind
from notifications.services import notification_event_queue


def _stamp(moment) -> str:
    return f"{moment.timestamp():.6f}"


def on_course_submitted(sender, *, course, submitted_at, **kwargs) -> None:
    notification_event_queue(
        kind=Kind.COURSE_SUBMITTED, source_id=course.pk, source_key=f"{course.pk}:{_stamp(submitted_at)}"
    )


def on_course_approved(sender, *, course, **kwargs) -> None:
    notification_event_queue(
        kind=Kind.COURSE_APPROVED, source_id=course.pk, source_key=f"{course.pk}:{_stamp(course.updated_at)}"
    )


def on_course_rejected(sender, *, course, rejected_at, **kwargs) -> None:
    notification_event_queue(
        kind=Kind.COURSE_REJECTED, source_id=course.pk, source_key=f"{course.pk}:{_stamp(rejected_at)}"
    )


def on_certificate_issued(sender, *, certificate, **kwargs) -> None:
    notification_event_queue(kind=Kind.CERTIFICATE_ISSUED, source_id=certificate.pk, source_key=str(certificate.pk))


def on_reply_created(sender, *, user, reply, post, **kwargs) -> None:
    if post.user_id != user.pk:  # answering one's own question notifies nobody
        notification_event_queue(kind=Kind.FORUM_REPLY, source_id=reply.pk, source_key=str(reply.pk))


def on_reply_accepted(sender, *, user, reply, accepted_by, **kwargs) -> None:
    if accepted_by.pk != user.pk:
        notification_event_queue(kind=Kind.ANSWER_ACCEPTED, source_id=reply.pk, source_key=str(reply.pk))


def on_payment_refunded(sender, *, payment, **kwargs) -> None:
    if payment is None:  # nothing to tell about (the signal's contract gives the payment; be lenient)
        return
    notification_event_queue(kind=Kind.REFUND_PROCESSED, source_id=payment.pk, source_key=str(payment.pk))


def on_user_suspended(sender, *, user, suspended_at, **kwargs) -> None:
    notification_event_queue(
        kind=Kind.ACCOUNT_SUSPENDED, source_id=user.pk, source_key=f"{user.pk}:{_stamp(suspended_at)}"
    )


def on_review_created(sender, *, review, user, instructor_id, **kwargs) -> None:
    if user.pk != instructor_id:  # an instructor's own review (enrolled in their course) notifies nobody
        notification_event_queue(kind=Kind.REVIEW_RECEIVED, source_id=review.pk, source_key=str(review.pk))
