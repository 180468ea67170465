"""The in-app inbox: list, unread count, mark one and all read; only one's own notifications."""

from __future__ import annotations

import pytest

from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_the_inbox_lists_my_notifications_newest_first_and_filters_unread(
    client_for, student, other_student, make_notification
):
    # Given two of mine (one read), one of someone else and one of mine kept out of the inbox (e-mail only)
    old = make_notification(student, read=True, title="Old")
    new = make_notification(student, title="New")
    make_notification(other_student, title="Not yours")
    make_notification(student, title="Mail only", in_app=False)

    response = client_for(student).get("/api/notifications/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(new.pk), str(old.pk)]
    assert response.json()["results"][0]["is_read"] is False

    unread = client_for(student).get("/api/notifications/?unread=true").json()["results"]
    assert [row["title"] for row in unread] == ["New"]
    assert client_for(student).get("/api/notifications/unread-count/").json() == {"unread": 1}


def test_bad_filter_is_a_400_with_field_errors(client_for, student):
    response = client_for(student).get("/api/notifications/?unread=perhaps")
    assert response.status_code == 400
    assert "unread" in response.json()["errors"]


def test_anonymous_is_refused(client_for):
    assert client_for().get("/api/notifications/").status_code == 401
    assert client_for().get("/api/notifications/unread-count/").status_code == 401


def test_mark_one_read_is_mine_only_and_idempotent(client_for, student, other_student, make_notification):
    notification = make_notification(student)

    # Someone else's notification does not exist for them
    assert client_for(other_student).post(f"/api/notifications/{notification.pk}/read/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None

    first = client_for(student).post(f"/api/notifications/{notification.pk}/read/")
    assert first.status_code == 200 and first.json()["is_read"] is True
    again = client_for(student).post(f"/api/notifications/{notification.pk}/read/")
    assert again.json()["read_at"] == first.json()["read_at"]


def test_mark_all_read(client_for, student, other_student, make_notification):
    for _ in range(3):
        make_notification(student)
    theirs = make_notification(other_student)
    response = client_for(student).post("/api/notifications/read-all/")
    assert response.status_code == 200
    assert response.json() == {"marked": 3, "unread": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert not Notification.objects.filter(user=student, read_at__isnull=True).exists()


@pytest.mark.parametrize("rows", [1, 20])
def test_query_counts_do_not_grow_with_the_page(
    client_for, student, make_notification, django_assert_max_num_queries, rows
):
    for _ in range(rows):
        make_notification(student)
    client = client_for(student)
    # count + page
    with django_assert_max_num_queries(2):
        assert len(client.get("/api/notifications/").json()["results"]) == rows
    # one COUNT over the partial index of unread rows
    with django_assert_max_num_queries(1):
        assert client.get("/api/notifications/unread-count/").json() == {"unread": rows}
    # one UPDATE + the COUNT
    with django_assert_max_num_queries(2):
        client.post("/api/notifications/read-all/")
