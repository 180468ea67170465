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
