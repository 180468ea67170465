"""Writes of notifications: delivering an event to its recipients (in-app row and e-mail, each once),
read marks, preferences, unsubscribing by signed token, and course announcements."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record
from catalog.models import Course
from catalog.permissions import course_staff_require, is_course_staff
from common.background import enqueue_on_commit
from common.exceptions import ApplicationError, ForbiddenError, NotFoundError
from notifications import tasks
from notifications.errors import NotificationsErrorCode
from notifications.messages import message_build
from notifications.models import Announcement, Kind, Notification, NotificationPreference

# Recipients handled per round trip when an event reaches many users (an announcement to a whole course).
DELIVERY_BATCH = 1000
UNSUBSCRIBE_SALT = "notifications.unsubscribe"
UNSUBSCRIBE_LINK_REFUSED = "This unsubscribe link is not valid."


# --- Delivery ------------------------------------------------------------------------------------


def notification_event_queue(*, kind: str, source_id: UUID, source_key: str) -> None:
    """Deliver the event once the current transaction commits (receivers and announcements call this)."""
    enqueue_on_commit(tasks.notification_event_deliver, str(kind), str(source_id), source_key)


def _batches(ids: Iterable[UUID], size: int) -> Iterator[list[UUID]]:
    """``ids`` in lists of at most ``size``. A queryset (a flat ``values_list`` of one id column, e.g. an
    announcement's 50,000 learners) is read page by page with keyset pagination on that column, so memory and
    each query stay bounded; no server-side cursor, which PgBouncer's transaction pooling would not keep open."""
    if not isinstance(ids, QuerySet):
        iterator = iter(ids)
        while batch := list(islice(iterator, size)):
            yield batch
        return
    (column,) = ids.query.values_select
    ids = ids.order_by(column)
    after = None
    while True:
        page = ids if after is None else ids.filter(**{f"{column}__gt": after})
        batch = list(page[:size])
        if batch:
            yield batch
        if len(batch) < size:
            return
        after = batch[-1]


def preferences_for(*, user_ids: list[UUID], kind: str) -> dict[UUID, NotificationPreference]:
    return {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=user_ids, kind=kind)}


def notifications_deliver(*, kind: str, source_id: UUID, source_key: str) -> int:
    """Create the event's notifications and queue their e-mails. Returns how many recipients it is for.

    Safe to run any number of times: rows are unique per (user, kind, source_key), and only e-mails not yet
    sent are queued (the send itself is once per row, ``notification_email_send``).
    """
    message = message_build(kind=kind, source_id=source_id)
    if message is None:
        return 0
    now = timezone.now()
    recipients = 0
    for batch in _batches(message.recipients, DELIVERY_BATCH):
        preferences = preferences_for(user_ids=batch, kind=kind)
        rows = []
        for user_id in batch:
            preference = preferences.get(user_id)
            in_app = preference.in_app if preference else True
            email = preference.email if preference else True
            if in_app or email:
                rows.append(
                    Notification(
                        user_id=user_id,
                        kind=kind,
                        source_key=source_key,
                        title=message.title[:300],
                        body=message.body,
                        link=message.link,
                        created_at=now,
                        in_app=in_app,
                        email_wanted=email,
                    )
                )
        with transaction.atomic():
            Notification.objects.bulk_create(rows, ignore_conflicts=True)
            recipients += len(rows)
            owed = list(
                Notification.objects.filter(
                    kind=kind, source_key=source_key, user_id__in=batch, email_wanted=True, emailed_at__isnull=True
                ).values_list("pk", flat=True)
            )
            for notification_id in owed:
                enqueue_on_commit(tasks.notification_email_send, str(notification_id))
    return recipients


def unsubscribe_token_make(*, user_id: UUID, kind: str) -> str:
    """A token that turns off e-mails of ``kind`` for the user, valid without signing in and without expiry
    (an old e-mail's link must keep working; all it can ever do is turn e-mail off)."""
    return signing.dumps({"user": str(user_id), "kind": str(kind)}, salt=UNSUBSCRIBE_SALT)


def _unsubscribe_urls(notification: Notification) -> tuple[str, str]:
    token = unsubscribe_token_make(user_id=notification.user_id, kind=notification.kind)
    return (
        settings.NOTIFICATIONS_UNSUBSCRIBE_URL.format(token=token),
        settings.NOTIFICATIONS_ONE_CLICK_UNSUBSCRIBE_URL.format(token=token),
    )


def notification_email_send(*, notification_id: UUID) -> bool:
    """Send the notification's e-mail, exactly once. Returns True if this call sent it (or settled it)."""
    with transaction.atomic():
        # The row lock makes a redelivered task and the upkeep sweep take turns; ``emailed_at`` commits only
        # when the mail went out, so a failed send stays owed.
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=notification_id, email_wanted=True, emailed_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        user = notification.user
        if user.email and user.is_active:
            page_url, one_click_url = _unsubscribe_urls(notification)
            context = {
                "academy": settings.ACADEMY_NAME,
                "name": user.full_name or user.email,
                "notification": notification,
                "link_url": f"{settings.FRONTEND_URL}{notification.link}" if notification.link else "",
                "unsubscribe_url": page_url,
                "kind_label": Kind(notification.kind).label,
            }
            mail = EmailMultiAlternatives(
                subject=notification.title,
                body=render_to_string("notifications/email.txt", context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[user.email],
                # RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" to this URL.
                headers={
                    "List-Unsubscribe": f"<{one_click_url}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            )
            mail.attach_alternative(render_to_string("notifications/email.html", context), "text/html")
            mail.send()
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return True


# --- Inbox ---------------------------------------------------------------------------------------


def notification_mark_read(*, user, notification_id: UUID) -> Notification:
    notification = Notification.objects.filter(pk=notification_id, user=user, in_app=True).first()
    if notification is None:
        raise NotFoundError("Not found.")
    if notification.read_at is None:
        now = timezone.now()
        # Conditional: of two concurrent marks the first time wins, and nothing else changes.
        if Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now):
            notification.read_at = now
        else:
            notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    """Mark every unread notification read; returns how many were."""
    return Notification.objects.filter(user=user, in_app=True, read_at__isnull=True).update(read_at=timezone.now())


# --- Preferences ---------------------------------------------------------------------------------


def preferences_update(*, user, changes: list[dict[str, Any]]) -> None:
    """Set in_app and/or email for the kinds named in ``changes``; channels not given keep their value."""
    kinds = [change["kind"] for change in changes]
    if len(set(kinds)) != len(kinds):
        raise ApplicationError("Each kind may appear once.", errors={"preferences": ["Each kind may appear once."]})
    current = {p.kind: p for p in NotificationPreference.objects.filter(user=user, kind__in=kinds)}
    rows = []
    for change in changes:
        stored = current.get(change["kind"])
        rows.append(
            NotificationPreference(
                user=user,
                kind=change["kind"],
                in_app=change.get("in_app", stored.in_app if stored else True),
                email=change.get("email", stored.email if stored else True),
            )
        )
    # One upsert: concurrent updates of the same kind never collide on the unique key.
    NotificationPreference.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["user", "kind"], update_fields=["in_app", "email", "updated_at"]
    )


def unsubscribe_token_read(*, token: str) -> tuple[UUID, str]:
    """The (user id, kind) a token was made for; 400 ``unsubscribe_token_invalid`` for anything else."""
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user_id, kind = UUID(payload["user"]), payload["kind"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        payload = None
    if payload is None or kind not in Kind.values:
        raise ApplicationError(
            UNSUBSCRIBE_LINK_REFUSED,
            code=NotificationsErrorCode.UNSUBSCRIBE_LINK_INVALID,
            errors={"token": [UNSUBSCRIBE_LINK_REFUSED]},
        )
    return user_id, kind


def notification_unsubscribe(*, token: str) -> tuple[UUID, str]:
    """Turn e-mail off for the token's kind (idempotent). Returns (user id, kind)."""
    user_id, kind = unsubscribe_token_read(token=token)
    if not User.objects.filter(pk=user_id).exists():
        raise ApplicationError(
            UNSUBSCRIBE_LINK_REFUSED,
            code=NotificationsErrorCode.UNSUBSCRIBE_LINK_INVALID,
            errors={"token": [UNSUBSCRIBE_LINK_REFUSED]},
        )
    NotificationPreference.objects.update_or_create(
        user_id=user_id, kind=kind, defaults={"email": False}, create_defaults={"email": False, "in_app": True}
    )
    return user_id, kind


# --- Announcements -------------------------------------------------------------------------------


@transaction.atomic
def announcement_create(*, author, course: Course, title: str, body: str) -> Announcement:
    """The course's instructor or an admin tells the course's active learners; each gets a notification."""
    course_staff_require(user=author, course=course)
    announcement = Announcement.objects.create(
        course=course, author=author, title=title, body=body, created_at=timezone.now()
    )
    notification_event_queue(kind=Kind.ANNOUNCEMENT, source_id=announcement.pk, source_key=str(announcement.pk))
    return announcement


@transaction.atomic
def announcement_delete(*, actor, announcement: Announcement) -> None:
    """Remove an announcement and its inbox entries. An admin's removal is audited."""
    if not is_course_staff(user=actor, course=announcement.course):
        raise ForbiddenError(
            "Only the course's instructor or an admin can remove an announcement.",
            code=NotificationsErrorCode.ANNOUNCEMENT_NOT_ALLOWED,
        )
    if actor.is_admin:
        audit_record(
            actor=actor,
            action="announcement.delete",
            target=announcement,
            details={
                "course": str(announcement.course_id),
                "title": announcement.title,
                "author": str(announcement.author_id),
            },
        )
    Notification.objects.filter(kind=Kind.ANNOUNCEMENT, source_key=str(announcement.pk)).delete()
    announcement.delete()
