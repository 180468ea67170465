"""The admin's course review: the queue, approve, reject with a reason; each writes the audit log."""

from __future__ import annotations

import pytest

from audit.models import AuditLog
from catalog.models import Course

pytestmark = pytest.mark.django_db


class TestQueue:
    def test_admin_lists_by_status(self, client_for, admin_user, make_course):
        pending = make_course(status="pending_review")
        make_course(status="draft")
        response = client_for(admin_user).get("/api/admin/courses/", {"status": "pending_review"})
        assert response.status_code == 200
        (item,) = response.json()["results"]
        assert item["id"] == str(pending.pk)
        assert "email" in item["instructor"]
        assert client_for(admin_user).get("/api/admin/courses/").json()["count"] == 2

    def test_bad_status_is_400(self, client_for, admin_user):
        assert client_for(admin_user).get("/api/admin/courses/", {"status": "nope"}).status_code == 400

    def test_non_admins_are_refused(self, client_for, student, instructor):
        assert client_for(student).get("/api/admin/courses/").status_code == 403
        assert client_for(instructor).get("/api/admin/courses/").status_code == 403
        assert client_for(None).get("/api/admin/courses/").status_code == 401

    @pytest.mark.parametrize("count", [1, 30])
    def test_query_count(self, client_for, admin_user, make_course, count, django_assert_max_num_queries):
        for _ in range(count):
            make_course(status="pending_review", modules=1, lessons=1)
        client = client_for(admin_user)
        with django_assert_max_num_queries(2):  # COUNT(*) and the page with its figures
            assert client.get("/api/admin/courses/", {"page_size": 100}).json()["count"] == count


class TestApprove:
    def test_publishes_and_audits(self, client_for, admin_user, make_course):
        course = make_course(status="pending_review", rejection_reason="old", modules=1, lessons=1)
        response = client_for(admin_user).post(f"/api/admin/courses/{course.pk}/approve/")
        assert response.status_code == 200
        course.refresh_from_db()
        assert (course.status, course.rejection_reason) == ("published", "")
        assert course.published_at is not None
        entry = AuditLog.objects.get(action="course.approve")
        assert (entry.actor, entry.target_id) == (admin_user, str(course.pk))
        assert client_for(None).get(f"/api/courses/{course.pk}/").status_code == 200

    @pytest.mark.parametrize("status", ["draft", "published", "rejected", "archived"])
    def test_wrong_state_is_409_without_audit(self, client_for, admin_user, make_course, status):
        course = make_course(status=status)
        response = client_for(admin_user).post(f"/api/admin/courses/{course.pk}/approve/")
        assert response.status_code == 409
        assert response.json()["code"] == "course_status_conflict"
        assert not AuditLog.objects.exists()

    def test_non_admins_and_unknown_course(self, client_for, instructor, make_course, admin_user):
        course = make_course(status="pending_review")
        assert client_for(instructor).post(f"/api/admin/courses/{course.pk}/approve/").status_code == 403
        unknown = "/api/admin/courses/00000000-0000-0000-0000-000000000000/approve/"
        assert client_for(admin_user).post(unknown).status_code == 404
        assert Course.objects.get(pk=course.pk).status == "pending_review"


class TestReject:
    def test_rejects_with_reason_and_audits(self, client_for, admin_user, make_course, instructor):
        course = make_course(status="pending_review", modules=1, lessons=1)
        response = client_for(admin_user).post(
            f"/api/admin/courses/{course.pk}/reject/", {"reason": "Videos are missing."}, format="json"
        )
        assert response.status_code == 200
        course.refresh_from_db()
        assert (course.status, course.rejection_reason) == ("rejected", "Videos are missing.")
        assert AuditLog.objects.get(action="course.reject").details == {"reason": "Videos are missing."}
        # the instructor sees why, fixes it and submits again
        mine = client_for(instructor).get("/api/courses/mine/").json()["results"][0]
        assert mine["rejection_reason"] == "Videos are missing."
        assert client_for(instructor).post(f"/api/courses/{course.pk}/submit/").status_code == 200

    @pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 2001}])
    def test_reason_is_required(self, client_for, admin_user, make_course, body):
        course = make_course(status="pending_review")
        response = client_for(admin_user).post(f"/api/admin/courses/{course.pk}/reject/", body, format="json")
        assert response.status_code == 400
        assert "reason" in response.json()["errors"]
        assert Course.objects.get(pk=course.pk).status == "pending_review"

    def test_wrong_state_is_409(self, client_for, admin_user, course):
        response = client_for(admin_user).post(
            f"/api/admin/courses/{course.pk}/reject/", {"reason": "No."}, format="json"
        )
        assert response.status_code == 409
