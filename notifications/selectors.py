"""Reads of notifications: the inbox, the unread count, preferences with their defaults, announcements."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet

from catalog.models import Course
from catalog.selectors import course_list_visible, has_content_access
from common.exceptions import ForbiddenError, NotFoundError
from notifications.errors import NotificationsErrorCode
from notifications.models import Announcement, Kind, Notification, NotificationPreference


def notification_list(*, user, unread: bool | None = None) -> QuerySet[Notification]:
    notifications = Notification.objects.filter(user=user, in_app=True)
    if unread is not None:
        notifications = notifications.filter(read_at__isnull=unread)
    return notifications.order_by("-created_at", "-pk")


def notification_unread_count(*, user) -> int:
    # A COUNT over the partial index of unread rows: exact whatever runs concurrently (see the model).
    return Notification.objects.filter(user=user, in_app=True, read_at__isnull=True).count()


def preference_list(*, user) -> list[dict]:
    """Every kind with the user's choice per channel (on unless they turned it off). One query."""
    stored = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    return [
        {
            "kind": kind.value,
            "label": kind.label,
            "in_app": stored[kind].in_app if kind in stored else True,
            "email": stored[kind].email if kind in stored else True,
        }
        for kind in Kind
    ]


def preference_email_enabled(*, user_id: UUID, kind: str) -> bool:
    stored = NotificationPreference.objects.filter(user_id=user_id, kind=kind).values_list("email", flat=True).first()
    return True if stored is None else stored


def announcement_course_get(*, user, course_id: UUID, for_reading: bool = True) -> Course:
    """The course whose announcements ``user`` asks for: 404 if they cannot see it; for reading, 403 unless
    they learn in it (active enrollment) or are its staff."""
    course = course_list_visible(user=user).filter(pk=course_id).first()
    if course is None:
        raise NotFoundError("Not found.")
    if for_reading and not has_content_access(user=user, course=course):
        raise ForbiddenError(
            "Only the course's learners and staff can read its announcements.",
            code=NotificationsErrorCode.ANNOUNCEMENT_NOT_ALLOWED,
        )
    return course


def announcement_list(*, course: Course) -> QuerySet[Announcement]:
    return Announcement.objects.filter(course=course).select_related("author").order_by("-created_at", "-pk")


def announcement_get(*, user, announcement_id: UUID) -> Announcement:
    """An announcement of a course ``user`` can see (404 otherwise), with its course."""
    announcement = (
        Announcement.objects.select_related("course")
        .filter(pk=announcement_id, course__in=course_list_visible(user=user))
        .first()
    )
    if announcement is None:
        raise NotFoundError("Not found.")
    return announcement
