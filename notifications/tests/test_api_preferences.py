"""Preferences per kind and channel, and the unsubscribe link that works without signing in."""

from __future__ import annotations

import pytest
from django.core import signing

from notifications.models import Kind, NotificationPreference
from notifications.services import unsubscribe_token_make

pytestmark = pytest.mark.django_db


def _by_kind(response):
    return {row["kind"]: row for row in response.json()["preferences"]}


def test_every_kind_is_on_by_default(client_for, student, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):  # the user's stored choices
        response = client_for(student).get("/api/notifications/preferences/")
    assert response.status_code == 200
    rows = _by_kind(response)
    assert set(rows) == set(Kind.values)
    assert all(row["in_app"] and row["email"] for row in rows.values())


def test_put_changes_only_the_channels_given(client_for, student):
    client = client_for(student)
    client.put(
        "/api/notifications/preferences/",
        {"preferences": [{"kind": "announcement", "email": False}]},
        format="json",
    )
    response = client.put(
        "/api/notifications/preferences/",
        {"preferences": [{"kind": "announcement", "in_app": False}, {"kind": "forum_reply", "email": False}]},
        format="json",
    )
    assert response.status_code == 200
    rows = _by_kind(response)
    assert (rows["announcement"]["in_app"], rows["announcement"]["email"]) == (False, False)
    assert (rows["forum_reply"]["in_app"], rows["forum_reply"]["email"]) == (True, False)
    assert NotificationPreference.objects.filter(user=student).count() == 2


@pytest.mark.parametrize(
    "body, field",
    [
        ({"preferences": [{"kind": "nope", "email": False}]}, "preferences.0.kind"),
        ({"preferences": []}, "preferences.non_field_errors"),
        ({"preferences": [{"kind": "announcement", "email": "maybe"}]}, "preferences.0.email"),
        ({"preferences": [{"kind": "announcement"}, {"kind": "announcement"}]}, "preferences"),
        ({}, "preferences"),
        ([1, 2], "non_field_errors"),
    ],
)
def test_bad_preferences_are_400_and_change_nothing(client_for, student, body, field):
    response = client_for(student).put("/api/notifications/preferences/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not NotificationPreference.objects.exists()


def test_anonymous_cannot_read_preferences(client_for):
    assert client_for().get("/api/notifications/preferences/").status_code == 401


def test_unsubscribe_link_confirms_then_turns_email_off_without_signing_in(client_for, student):
    token = unsubscribe_token_make(user_id=student.pk, kind=Kind.ANNOUNCEMENT)
    client = client_for()

    shown = client.get("/api/notifications/unsubscribe/", {"token": token})
    assert shown.status_code == 200
    assert shown.json() == {"kind": "announcement", "label": Kind.ANNOUNCEMENT.label, "email": True}
    assert not NotificationPreference.objects.exists()  # a GET (a mail scanner's) changes nothing

    # RFC 8058 one-click: the form body is not read, the token in the URL decides
    done = client.post(
        f"/api/notifications/unsubscribe/?token={token}",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert done.status_code == 200 and done.json()["email"] is False
    preference = NotificationPreference.objects.get(user=student, kind=Kind.ANNOUNCEMENT)
    assert (preference.in_app, preference.email) == (True, False)
    assert client.post(f"/api/notifications/unsubscribe/?token={token}").status_code == 200  # idempotent


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        signing.dumps({"user": "x", "kind": "announcement"}, salt="notifications.unsubscribe"),
        signing.dumps(
            {"user": "00000000-0000-0000-0000-000000000000", "kind": "nope"}, salt="notifications.unsubscribe"
        ),
        signing.dumps({"user": "00000000-0000-0000-0000-000000000000", "kind": "announcement"}, salt="other"),
        signing.dumps(["a"], salt="notifications.unsubscribe"),
    ],
    # Named, not by value: a signed token carries the moment it was made, and every pytest-xdist worker must
    # collect the same test ids.
    ids=["garbage", "user-not-a-uuid", "unknown-kind", "other-salt", "not-a-dict"],
)
def test_a_bad_token_is_a_400(client_for, token):
    response = client_for().post(f"/api/notifications/unsubscribe/?token={token}")
    assert response.status_code == 400
    assert response.json()["code"] in ("unsubscribe_link_invalid", "invalid")
    assert not NotificationPreference.objects.exists()


def test_missing_token_is_a_400(client_for):
    response = client_for().get("/api/notifications/unsubscribe/")
    assert response.status_code == 400 and "token" in response.json()["errors"]


def test_a_token_of_a_deleted_user_is_a_400(client_for):
    token = unsubscribe_token_make(user_id="00000000-0000-0000-0000-000000000000", kind=Kind.ANNOUNCEMENT)
    assert client_for().post(f"/api/notifications/unsubscribe/?token={token}").status_code == 400
