"""Course announcements: the instructor or an admin posts, learners read and are notified; an admin's removal
is audited."""

from __future__ import annotations

import pytest
from django.core import mail
from model_bakery import baker

from audit.models import AuditLog
from notifications.models import Announcement, Kind, Notification

pytestmark = pytest.mark.django_db

BODY = {"title": "Live session on Friday", "body": "We meet at 6 pm IST to go through module 2."}


def _url(course):
    return f"/api/courses/{course.pk}/announcements/"


def test_the_instructor_posts_and_every_active_learner_is_notified(
    client_for, instructor, course, learner, other_student, make_user, django_capture_on_commit_callbacks
):
    # Given a second active learner and a revoked one
    second = make_user("student")
    baker.make("catalog.Enrollment", user=second, course=course, source="free", status="active")
    baker.make("catalog.Enrollment", user=other_student, course=course, source="free", status="revoked")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(instructor).post(_url(course), BODY, format="json")

    assert response.status_code == 201
    assert response.json()["title"] == BODY["title"]
    assert response.json()["author"]["id"] == str(instructor.pk)
    notified = set(Notification.objects.filter(kind=Kind.ANNOUNCEMENT).values_list("user_id", flat=True))
    assert notified == {learner.pk, second.pk}
    assert len(mail.outbox) == 2


def test_learners_and_staff_read_others_are_refused(
    client_for, instructor, other_instructor, admin_user, course, learner, other_student
):
    Announcement.objects.create(
        course=course, author=instructor, title="Hello", body="Welcome", created_at="2026-01-01T00:00Z"
    )
    for user in (learner, instructor, admin_user):
        response = client_for(user).get(_url(course))
        assert response.status_code == 200, user
        assert [row["title"] for row in response.json()["results"]] == ["Hello"]
    # Not enrolled: the published course is visible, its announcements are not
    assert client_for(other_student).get(_url(course)).status_code == 403
    assert client_for(other_instructor).get(_url(course)).status_code == 403
    assert client_for().get(_url(course)).status_code == 401


def test_only_the_course_staff_post(client_for, learner, other_instructor, admin_user, course):
    assert client_for(learner).post(_url(course), BODY, format="json").status_code == 403
    assert client_for(other_instructor).post(_url(course), BODY, format="json").status_code == 403
    assert client_for(admin_user).post(_url(course), BODY, format="json").status_code == 201
    assert Announcement.objects.count() == 1


def test_a_draft_course_of_another_instructor_does_not_exist(client_for, other_instructor, instructor):
    draft = baker.make("catalog.Course", instructor=instructor, status="draft")
    assert client_for(other_instructor).post(_url(draft), BODY, format="json").status_code == 404
    assert client_for(other_instructor).get(_url(draft)).status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [({"title": "", "body": "x"}, "title"), ({"title": "x" * 201, "body": "x"}, "title"), ({"title": "x"}, "body")],
)
def test_bad_input_is_a_400_and_posts_nothing(client_for, instructor, course, body, field):
    response = client_for(instructor).post(_url(course), body, format="json")
    assert response.status_code == 400 and field in response.json()["errors"]
    assert not Announcement.objects.exists()


def test_posting_is_rate_limited(client_for, instructor, course, settings):
    settings.ANNOUNCEMENTS_POST_RATE = "2/h"
    client = client_for(instructor)
    statuses = [client.post(_url(course), BODY, format="json").status_code for _ in range(3)]
    assert statuses == [201, 201, 429]


def test_removal_by_the_instructor_is_not_audited_by_an_admin_is(
    client_for, instructor, other_instructor, learner, admin_user, course, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = client_for(instructor).post(_url(course), BODY, format="json").json()
    second = client_for(instructor).post(_url(course), BODY, format="json").json()
    assert Notification.objects.filter(user=learner).count() == 1

    # Others cannot remove it
    assert client_for(learner).delete(f"/api/announcements/{first['id']}/").status_code == 403
    assert client_for(other_instructor).delete(f"/api/announcements/{first['id']}/").status_code == 403

    assert client_for(instructor).delete(f"/api/announcements/{first['id']}/").status_code == 204
    assert not AuditLog.objects.filter(action="announcement.delete").exists()
    assert not Notification.objects.filter(user=learner).exists()  # gone from the inbox too

    assert client_for(admin_user).delete(f"/api/announcements/{second['id']}/").status_code == 204
    entry = AuditLog.objects.get(action="announcement.delete")
    assert entry.actor == admin_user and entry.details["title"] == BODY["title"]
    assert not Announcement.objects.exists()
    assert client_for(admin_user).delete(f"/api/announcements/{second['id']}/").status_code == 404


@pytest.mark.parametrize("rows", [1, 20])
def test_listing_query_count_does_not_grow(
    client_for, instructor, learner, course, django_assert_max_num_queries, rows
):
    for n in range(rows):
        Announcement.objects.create(
            course=course, author=instructor, title=f"A{n}", body="b", created_at="2026-01-01T00:00Z"
        )
    client = client_for(learner)
    # course (visibility) + active enrollment + count + page (authors joined)
    with django_assert_max_num_queries(4):
        assert len(client.get(_url(course)).json()["results"]) == rows
