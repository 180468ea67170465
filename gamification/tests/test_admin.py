"""The Django admin: the ledger, roll-ups and earned badges are read-only; badges are editable."""

from __future__ import annotations

import pytest

from gamification.models import Badge

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize("model", ["xpevent", "xptotal", "userbadge", "badge"])
def test_changelists_render(staff_client, student, award, model):
    award(student, "lesson_complete")
    response = staff_client.get(f"/admin/gamification/{model}/")
    assert response.status_code == 200


@pytest.mark.parametrize("model", ["xpevent", "xptotal", "userbadge"])
def test_ledger_and_rollups_cannot_be_added_or_edited(staff_client, student, award, model):
    event = award(student, "lesson_complete")
    assert staff_client.get(f"/admin/gamification/{model}/add/").status_code == 403
    if model == "xpevent":
        response = staff_client.post(f"/admin/gamification/xpevent/{event.pk}/change/", {"points": 999})
        assert response.status_code == 403
        event.refresh_from_db()
        assert event.points == 10


def test_badges_are_editable(staff_client):
    response = staff_client.post(
        "/admin/gamification/badge/add/",
        {
            "code": "twenty-lessons",
            "name": "Bookworm",
            "description": "Complete twenty lessons.",
            "icon": "book",
            "rule_type": "event_count",
            "event_type": "lesson_complete",
            "threshold": 20,
            "position": 15,
        },
    )
    assert response.status_code == 302
    assert Badge.objects.get(code="twenty-lessons").threshold == 20


def test_a_badge_someone_earned_is_never_deleted_from_the_admin(staff_client, student, award):
    # given a badge a learner earned
    award(student, "lesson_complete")
    earned = Badge.objects.filter(awards__isnull=False).first()
    assert earned is not None
    # when an admin tries to delete it, one by one or in bulk
    single = staff_client.post(f"/admin/gamification/badge/{earned.pk}/delete/", {"post": "yes"})
    staff_client.post(
        "/admin/gamification/badge/", {"action": "delete_selected", "_selected_action": [earned.pk], "post": "yes"}
    )
    # then it stays, and so does the learner's award
    assert single.status_code == 403
    assert Badge.objects.filter(pk=earned.pk).exists() and earned.awards.filter(user=student).exists()


def test_xp_model_names_are_spelled_right(staff_client):
    html = staff_client.get("/admin/").content.decode()
    assert "XP events" in html and "XP totals" in html and "Xp events" not in html
