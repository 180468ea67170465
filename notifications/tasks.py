"""Background work of notifications: delivering an event, sending one e-mail, and the e-mail upkeep sweep."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from common.background import PER_OBJECT_TASK, TRANSIENT_ERRORS, enqueue


@shared_task(**PER_OBJECT_TASK)
def notification_event_deliver(kind: str, source_id: str, source_key: str) -> int:
    from notifications.services import notifications_deliver  # services queues these tasks

    return notifications_deliver(kind=kind, source_id=source_id, source_key=source_key)


# SMTP and socket errors are OSErrors: retried; the row's emailed_at makes a retry after success a no-op.
@shared_task(**{**PER_OBJECT_TASK, "autoretry_for": (OSError, *TRANSIENT_ERRORS), "max_retries": 8})
def notification_email_send(notification_id: str) -> bool:
    from notifications.services import notification_email_send as send  # services queues these tasks

    return send(notification_id=notification_id)


@shared_task(acks_late=True)
def notification_emails_pending() -> int:
    """Upkeep: queue the e-mails still owed (lost with the broker, or the mail server refused them)."""
    from notifications.models import Notification

    cutoff = timezone.now() - timedelta(minutes=settings.NOTIFICATIONS_EMAIL_PENDING_AFTER_MINUTES)
    due = Notification.objects.filter(email_wanted=True, emailed_at__isnull=True, created_at__lt=cutoff)
    queued = 0
    for notification_id in due.order_by("created_at").values_list("pk", flat=True)[:500]:
        queued += enqueue(notification_email_send, str(notification_id))
    return queued
