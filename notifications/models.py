"""Notifications: the in-app inbox, per-user preferences per kind and channel, and course announcements.

The app sits at the top of the dependency graph: it receives the domain events of the other apps (course
review, certificates, forum, refunds, suspensions) and nobody imports it. A notification is created by a
Celery task after the event's transaction commits; ``(user, kind, source_key)`` is unique, so a retried
task never creates a second row, and ``emailed_at`` records the one e-mail sent for it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual

from common.models import UUIDModel

ANNOUNCEMENT_TITLE_MAX_LENGTH = 200
ANNOUNCEMENT_BODY_MAX_LENGTH = 5000


class Kind(models.TextChoices):
    COURSE_SUBMITTED = "course_submitted", "A course was submitted for review (admins)"
    COURSE_APPROVED = "course_approved", "My course was approved"
    COURSE_REJECTED = "course_rejected", "My course was rejected"
    CERTIFICATE_ISSUED = "certificate_issued", "A certificate was issued to me"
    FORUM_REPLY = "forum_reply", "A reply to my question"
    ANSWER_ACCEPTED = "answer_accepted", "My answer was accepted"
    REVIEW_RECEIVED = "review_received", "A review of my course"
    REFUND_PROCESSED = "refund_processed", "My refund was processed"
    ACCOUNT_SUSPENDED = "account_suspended", "My account was suspended"
    ANNOUNCEMENT = "announcement", "An announcement in a course I take"


class Channel(models.TextChoices):
    IN_APP = "in_app", "In-app inbox"
    EMAIL = "email", "E-mail"


class Notification(UUIDModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # The event it is about, e.g. "<course id>:<submitted at>": one notification per user, kind and event.
    source_key = models.CharField(max_length=120)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    # A path of the web app (FRONTEND_URL + link), e.g. "/courses/<id>".
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    # The channels the user's preferences asked for when it was created: the inbox lists only in_app rows;
    # an e-mail-only notification still has its row, which records the one e-mail sent.
    in_app = models.BooleanField(default=True)
    email_wanted = models.BooleanField(default=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "source_key"], name="notifications_once_per_event"),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], condition=Q(in_app=True), name="notifications_inbox"),
            # The unread count is a COUNT over this partial index: only unread rows are in it, so it stays
            # small, and a count is exact under any interleaving of "new" and "mark read" (no counter to drift).
            models.Index(fields=["user"], condition=Q(in_app=True, read_at__isnull=True), name="notifications_unread"),
            # The upkeep sweep of e-mails that were never sent.
            models.Index(
                fields=["created_at"],
                condition=Q(email_wanted=True, emailed_at__isnull=True),
                name="notifications_mail",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.source_key}"


class NotificationPreference(UUIDModel):
    """A user's choice for one kind; without a row every channel is on (``PREFERENCE_DEFAULTS``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notifications_preference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: in_app={self.in_app} email={self.email}"


class Announcement(UUIDModel):
    """A message from a course's instructor (or an admin) to its learners."""

    course = models.ForeignKey("catalog.Course", on_delete=models.CASCADE, related_name="announcements")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=ANNOUNCEMENT_TITLE_MAX_LENGTH)
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThanOrEqual(Length("title"), 1), name="notifications_announcement_title"
            ),
        ]
        indexes = [models.Index(fields=["course", "-created_at"], name="notifications_announce_course")]

    def __str__(self) -> str:
        return self.title
