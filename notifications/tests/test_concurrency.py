"""Races on PostgreSQL: one notification and one e-mail per event however many workers deliver it at once,
and an exact unread count while notifications arrive and are marked read concurrently."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone
from model_bakery import baker

from notifications.models import Kind, Notification
from notifications.selectors import notification_unread_count
from notifications.services import notification_email_send, notifications_deliver, notifications_mark_all_read
from tests.support.concurrency import run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_deliveries_of_one_event_make_one_row_and_one_email(student, instructor):
    course = baker.make("catalog.Course", instructor=instructor, title="Racing")
    certificate = baker.make("certificates.Certificate", user=student, course=course, certificate_number="DCA-R")
    mail.outbox.clear()

    outcomes = run_concurrently(
        lambda: notifications_deliver(kind=Kind.CERTIFICATE_ISSUED, source_id=certificate.pk, source_key="once"),
        times=6,
    )

    assert not [o for o in outcomes if isinstance(o, BaseException)]
    assert outcomes == [1] * 6
    assert Notification.objects.filter(user=student).count() == 1
    # Eager tasks ran after each commit; the row lock and emailed_at let exactly one send through.
    assert len(mail.outbox) == 1
    notification = Notification.objects.get(user=student)
    assert run_concurrently(lambda: notification_email_send(notification_id=notification.pk), times=4) == [False] * 4


def test_unread_count_stays_exact_while_new_ones_arrive_and_all_are_marked_read(student):
    def arrive(n):
        return lambda: Notification.objects.create(
            user=student, kind=Kind.FORUM_REPLY, source_key=f"r{n}", title="Reply", created_at=timezone.now()
        )

    outcomes = run_concurrently(*(arrive(n) for n in range(8)), lambda: notifications_mark_all_read(user=student))
    marked = outcomes[-1]
    assert notification_unread_count(user=student) == 8 - marked
    assert Notification.objects.filter(user=student, read_at__isnull=True).count() == 8 - marked
