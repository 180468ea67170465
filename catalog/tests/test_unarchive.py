"""Archiving can be undone: an admin returns a course to the catalogue, its instructor gets a draft back.
Both directions are in the audit log, over the API and from the Django admin."""

from __future__ import annotations

import pytest

from audit.models import AuditLog
from catalog.models import Course, Lesson

pytestmark = pytest.mark.django_db


def unarchive_url(course) -> str:
    return f"/api/courses/{course.pk}/unarchive/"


@pytest.fixture
def archived(make_course, client_for, instructor):
    """A course that was published, then archived by its instructor."""
    course = make_course(title="Pandas", modules=1, lessons=2)
    assert client_for(instructor).post(f"/api/courses/{course.pk}/archive/").status_code == 200
    return Course.objects.get(pk=course.pk)


def test_archiving_is_audited_for_the_instructor_too(archived, instructor):
    entry = AuditLog.objects.get(action="course.archive")
    assert (entry.actor, entry.target_id) == (instructor, str(archived.pk))
    assert entry.details == {"previous_status": "published"}


def test_admin_puts_a_published_course_back_in_the_catalogue(client_for, admin_user, archived):
    # When an admin unarchives a course that had been published
    response = client_for(admin_user).post(unarchive_url(archived))

    # Then it is published again with its first publication date, listed, and the audit log says who
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    archived_published_at = archived.published_at
    archived.refresh_from_db()
    assert (archived.status, archived.published_at) == ("published", archived_published_at)
    assert [c["id"] for c in client_for(None).get("/api/courses/").json()["results"]] == [str(archived.pk)]
    entry = AuditLog.objects.get(action="course.unarchive")
    assert (entry.actor, entry.target_id, entry.details) == (admin_user, str(archived.pk), {"status": "published"})


def test_instructor_gets_a_draft_back_and_learners_keep_access(client_for, instructor, student, enroll, archived):
    # Given a learner of the archived course
    enroll(student, archived)

    # When its instructor unarchives it
    response = client_for(instructor).post(unarchive_url(archived))

    # Then it is a draft again (not in the catalogue until reviewed), audited, and the learner still opens it
    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    archived.refresh_from_db()
    assert archived.status == "draft"
    assert client_for(None).get("/api/courses/").json()["count"] == 0
    entry = AuditLog.objects.get(action="course.unarchive")
    assert (entry.actor, entry.details) == (instructor, {"status": "draft"})
    curriculum = client_for(student).get(f"/api/courses/{archived.pk}/curriculum/")
    assert curriculum.status_code == 200
    assert curriculum.json()["has_access"] is True
    # ... and the instructor can send it to review again
    assert client_for(instructor).post(f"/api/courses/{archived.pk}/submit/").json()["status"] == "pending_review"


def test_admin_unarchiving_a_never_published_course_gets_a_draft(client_for, admin_user, make_course):
    course = make_course(status="archived", modules=1, lessons=1)
    assert course.published_at is None

    response = client_for(admin_user).post(unarchive_url(course))

    assert response.status_code == 200
    assert response.json()["status"] == "draft"


def test_admin_cannot_republish_a_course_without_lessons(client_for, admin_user, archived):
    Lesson.objects.filter(module__course=archived).delete()

    response = client_for(admin_user).post(unarchive_url(archived))

    assert response.status_code == 409
    assert response.json()["code"] == "course_incomplete"
    archived.refresh_from_db()
    assert archived.status == "archived"
    assert not AuditLog.objects.filter(action="course.unarchive").exists()


@pytest.mark.parametrize("status", ["draft", "pending_review", "published", "rejected"])
def test_a_course_that_is_not_archived_is_409(client_for, admin_user, make_course, status):
    course = make_course(status=status, modules=1, lessons=1)

    response = client_for(admin_user).post(unarchive_url(course))

    assert response.status_code == 409
    assert response.json()["code"] == "course_status_conflict"
    assert Course.objects.get(pk=course.pk).status == status


def test_only_the_courses_instructor_and_admins_may_unarchive(client_for, archived, other_instructor, student):
    # Another instructor's archived course does not exist for them; students are refused by role
    assert client_for(other_instructor).post(unarchive_url(archived)).json()["code"] == "not_found"
    assert client_for(student).post(unarchive_url(archived)).status_code == 403
    assert client_for(None).post(unarchive_url(archived)).status_code == 401
    assert Course.objects.get(pk=archived.pk).status == "archived"


def test_the_admin_site_action_unarchives_and_audits(client, admin_user, archived, make_course):
    # Given an admin signed in to the Django admin, an archived course and a published one
    client.force_login(admin_user)
    published = make_course(title="Live", modules=1, lessons=1)

    # When the admin runs "unarchive" on both
    response = client.post(
        "/admin/catalog/course/",
        {"action": "unarchive_courses", "_selected_action": [archived.pk, published.pk]},
        follow=True,
    )

    # Then the archived one is back in the catalogue, the other is reported and untouched
    assert response.status_code == 200
    assert Course.objects.get(pk=archived.pk).status == "published"
    assert Course.objects.get(pk=published.pk).status == "published"
    assert list(AuditLog.objects.filter(action="course.unarchive").values_list("actor", "target_id")) == [
        (admin_user.pk, str(archived.pk))
    ]
    shown = [str(m) for m in response.context["messages"]]
    assert any("cannot be unarchived" in m for m in shown)
