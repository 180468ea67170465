"""Django admin: the notification pages load read-only; removing an announcement goes through the service."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditLog
from notifications.models import Announcement, Kind, Notification, NotificationPreference

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def announcement(course, instructor):
    return Announcement.objects.create(
        course=course, author=instructor, title="Hello", body="b", created_at=timezone.now()
    )


@pytest.mark.parametrize("model", ["notification", "notificationpreference", "announcement"])
def test_changelists_load(admin_client, student, announcement, make_notification, model):
    make_notification(student)
    NotificationPreference.objects.create(user=student, kind=Kind.ANNOUNCEMENT, email=False)
    assert admin_client.get(f"/admin/notifications/{model}/").status_code == 200
    assert admin_client.get("/admin/notifications/notification/add/").status_code == 403


def test_lesson_positions_page_loads(admin_client):
    assert admin_client.get("/admin/catalog/lessonposition/").status_code == 200


def test_deleting_an_announcement_in_the_admin_is_audited_and_clears_inboxes(
    admin_client, admin_user, announcement, learner
):
    Notification.objects.create(
        user=learner, kind=Kind.ANNOUNCEMENT, source_key=str(announcement.pk), title="t", created_at=timezone.now()
    )
    response = admin_client.post(f"/admin/notifications/announcement/{announcement.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Announcement.objects.exists() and not Notification.objects.exists()
    assert AuditLog.objects.get(action="announcement.delete").actor == admin_user
