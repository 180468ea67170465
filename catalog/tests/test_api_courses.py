"""Instructors managing courses: create, edit, delete, mine, submit, archive; curriculum and enrollment."""

from __future__ import annotations

from decimal import Decimal

import pytest
from model_bakery import baker

from catalog.models import Course, Enrollment, Module

pytestmark = pytest.mark.django_db


def detail(course) -> str:
    return f"/api/courses/{course.pk}/"


@pytest.fixture
def payload(domain):
    return {"title": "Intro to SQL", "description": "Tables and joins.", "domain": str(domain.pk), "price": "499.00"}


class TestCreate:
    def test_instructor_creates_a_draft_with_a_slug(self, client_for, instructor, payload):
        response = client_for(instructor).post("/api/courses/", payload, format="json")
        assert response.status_code == 201
        body = response.json()
        assert (body["status"], body["slug"], body["price"]) == ("draft", "intro-to-sql", "499.00")
        course = Course.objects.get(pk=body["id"])
        assert course.instructor == instructor
        assert course.price == Decimal("499.00")

    def test_same_title_gets_a_distinct_slug(self, client_for, instructor, payload):
        client = client_for(instructor)
        first = client.post("/api/courses/", payload, format="json").json()["slug"]
        second = client.post("/api/courses/", payload, format="json").json()["slug"]
        assert first == "intro-to-sql"
        assert second.startswith("intro-to-sql-") and second != first

    def test_admin_may_create(self, client_for, admin_user, payload):
        assert client_for(admin_user).post("/api/courses/", payload, format="json").status_code == 201

    def test_student_and_anonymous_are_refused(self, client_for, student, payload):
        assert client_for(student).post("/api/courses/", payload, format="json").status_code == 403
        assert client_for(None).post("/api/courses/", payload, format="json").status_code == 401
        assert not Course.objects.exists()

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("title", ""),
            ("title", "x" * 201),
            ("price", "-1"),
            ("price", "100000.01"),
            ("price", "abc"),
            ("price", "1.234"),
            ("domain", "00000000-0000-0000-0000-000000000000"),
            ("domain", "web"),
            ("thumbnail_url", "ftp://example.com/a.png"),
            ("thumbnail_url", "javascript:alert(1)"),
        ],
    )
    def test_invalid_fields_are_400(self, client_for, instructor, payload, field, value):
        response = client_for(instructor).post("/api/courses/", {**payload, field: value}, format="json")
        assert response.status_code == 400
        assert field in response.json()["errors"]
        # One message per problem, never the same sentence twice.
        messages = response.json()["errors"][field]
        assert len(messages) == len(set(messages))
        assert not Course.objects.exists()


class TestUpdate:
    def test_owner_edits_and_status_and_slug_stay(self, client_for, instructor, make_course):
        course = make_course(title="Old", slug="old")
        response = client_for(instructor).patch(
            detail(course), {"title": "New title", "price": "99.50", "status": "draft", "slug": "x"}, format="json"
        )
        assert response.status_code == 200
        course.refresh_from_db()
        assert (course.title, course.price, course.status, course.slug) == (
            "New title",
            Decimal("99.50"),
            "published",
            "old",
        )

    def test_admin_edits_any_course(self, client_for, admin_user, course):
        assert client_for(admin_user).patch(detail(course), {"title": "By admin"}, format="json").status_code == 200

    def test_other_instructor_and_student_are_403(self, client_for, course, other_instructor, student):
        for user in (other_instructor, student):
            response = client_for(user).patch(detail(course), {"title": "Hijack"}, format="json")
            assert response.status_code == 403
        course.refresh_from_db()
        assert course.title == "Python Basics"

    def test_invalid_patch_is_400(self, client_for, instructor, course):
        response = client_for(instructor).patch(detail(course), {"price": "-5"}, format="json")
        assert response.status_code == 400
        assert "price" in response.json()["errors"]

    def test_put_is_not_allowed(self, client_for, instructor, course):
        assert client_for(instructor).put(detail(course), {}, format="json").status_code == 405


class TestDelete:
    def test_owner_deletes_course_with_its_curriculum(self, client_for, instructor, make_course):
        course = make_course(status="draft", modules=2, lessons=2)
        response = client_for(instructor).delete(detail(course))
        assert response.status_code == 204
        assert not Course.objects.filter(pk=course.pk).exists()
        assert not Module.objects.exists()

    def test_course_with_enrollments_is_409_archive_instead(self, client_for, instructor, course, student, enroll):
        enroll(student, course)
        response = client_for(instructor).delete(detail(course))
        assert response.status_code == 409
        assert response.json()["code"] == "course_has_learners"
        assert "archive" in response.json()["detail"]
        assert Course.objects.filter(pk=course.pk).exists()

    def test_other_instructor_and_student_are_403(self, client_for, course, other_instructor, student):
        for user in (other_instructor, student):
            assert client_for(user).delete(detail(course)).status_code == 403
        assert Course.objects.filter(pk=course.pk).exists()


class TestMine:
    def test_lists_own_courses_in_every_status(self, client_for, instructor, other_instructor, make_course):
        mine = {make_course(status=s).pk for s in ("draft", "pending_review", "published", "rejected")}
        make_course(owner=other_instructor)
        response = client_for(instructor).get("/api/courses/mine/")
        assert response.status_code == 200
        assert {c["id"] for c in response.json()["results"]} == {str(pk) for pk in mine}
        drafts = client_for(instructor).get("/api/courses/mine/", {"status": "draft"}).json()["results"]
        assert [c["status"] for c in drafts] == ["draft"]

    def test_bad_status_is_400_and_student_is_403(self, client_for, instructor, student):
        assert client_for(instructor).get("/api/courses/mine/", {"status": "nope"}).status_code == 400
        assert client_for(student).get("/api/courses/mine/").status_code == 403

    @pytest.mark.parametrize("count", [1, 25])
    def test_query_count(self, client_for, instructor, make_course, count, django_assert_max_num_queries):
        for _ in range(count):
            make_course(status="draft", modules=1, lessons=2)
        client = client_for(instructor)
        # COUNT(*) and the page with its figures
        with django_assert_max_num_queries(2):
            assert client.get("/api/courses/mine/", {"page_size": 100}).json()["count"] == count


class TestSubmitAndArchive:
    @pytest.mark.parametrize("status", ["draft", "rejected"])
    def test_owner_submits_for_review(self, client_for, instructor, make_course, status):
        course = make_course(status=status, modules=1, lessons=1)
        response = client_for(instructor).post(f"{detail(course)}submit/")
        assert response.status_code == 200
        course.refresh_from_db()
        assert course.status == "pending_review"
        assert course.submitted_at is not None

    @pytest.mark.parametrize("status", ["pending_review", "published", "archived"])
    def test_wrong_state_is_409(self, client_for, instructor, make_course, status):
        course = make_course(status=status)
        response = client_for(instructor).post(f"{detail(course)}submit/")
        assert response.status_code == 409
        assert response.json()["code"] == "course_status_conflict"
        course.refresh_from_db()
        assert course.status == status

    def test_others_cannot_submit(self, client_for, make_course, other_instructor, student):
        # Someone else's draft does not exist for them (404); the student may not even try (403, role).
        course = make_course(status="draft", modules=1, lessons=1)
        assert client_for(other_instructor).post(f"{detail(course)}submit/").status_code == 404
        assert client_for(student).post(f"{detail(course)}submit/").status_code == 403
        assert client_for(None).post(f"{detail(course)}submit/").status_code == 401

    def test_archive_hides_from_catalogue_but_learners_keep_access(
        self, client_for, instructor, course, student, enroll
    ):
        enroll(student, course)
        response = client_for(instructor).post(f"{detail(course)}archive/")
        assert response.status_code == 200
        assert response.json()["status"] == "archived"
        assert client_for(None).get("/api/courses/").json()["count"] == 0
        assert client_for(student).get(f"{detail(course)}curriculum/").json()["has_access"] is True
        assert client_for(instructor).post(f"{detail(course)}archive/").status_code == 409

    def test_admin_archive_is_audited(self, client_for, admin_user, course):
        from audit.models import AuditLog

        assert client_for(admin_user).post(f"{detail(course)}archive/").status_code == 200
        assert AuditLog.objects.filter(action="course.archive", target_id=str(course.pk), actor=admin_user).exists()


class TestCurriculum:
    def url(self, course) -> str:
        return f"{detail(course)}curriculum/"

    def test_modules_and_lessons_in_order_without_content_for_visitors(self, client_for, course):
        from catalog.models import Lesson

        Lesson.objects.filter(module__course=course, module__position=1, position=1).update(is_preview=True)
        response = client_for(None).get(self.url(course))
        assert response.status_code == 200
        body = response.json()
        assert body["has_access"] is False
        assert [m["position"] for m in body["modules"]] == [1, 2]
        first, second = body["modules"][0]["lessons"]
        assert (first["is_preview"], first["is_locked"], first["video_url"]) == (
            True,
            False,
            "https://video.example.com/1-1",
        )
        assert (second["is_locked"], second["video_url"], second["materials_url"]) == (True, None, None)

    def test_learner_owner_and_admin_see_content(self, client_for, course, student, instructor, admin_user, enroll):
        enroll(student, course)
        for user in (student, instructor, admin_user):
            body = client_for(user).get(self.url(course)).json()
            assert body["has_access"] is True
            assert all(lesson["video_url"] for m in body["modules"] for lesson in m["lessons"])

    def test_revoked_learner_loses_content(self, client_for, course, student, enroll):
        enroll(student, course, status=Enrollment.Status.REVOKED)
        body = client_for(student).get(self.url(course)).json()
        assert body["has_access"] is False
        assert body["modules"][0]["lessons"][0]["video_url"] is None

    def test_never_shows_quiz_answers(self, client_for, course, instructor):
        module = course.modules.first()
        baker.make("assessments.Quiz", module=module, question="2+2?", options=["3", "4"], correct_option=1, position=1)
        body = client_for(instructor).get(self.url(course)).json()
        assert body["modules"][0]["quiz_question_count"] == 1
        assert "correct_option" not in str(body)
        assert "2+2?" not in str(body)

    def test_draft_curriculum_is_404_for_others(self, client_for, make_course, student, other_instructor):
        course = make_course(status="draft", modules=1, lessons=1)
        for user in (None, student, other_instructor):
            assert client_for(user).get(self.url(course)).status_code == 404

    @pytest.mark.parametrize("size", [1, 10])
    def test_query_count(self, client_for, make_course, student, enroll, size, django_assert_max_num_queries):
        course = make_course(modules=size, lessons=size)
        enroll(student, course)
        client = client_for(student)
        # the course (with figures and the viewer's enrollment), its modules, their lessons
        with django_assert_max_num_queries(3):
            body = client.get(self.url(course)).json()
        assert sum(len(m["lessons"]) for m in body["modules"]) == size * size


class TestEnroll:
    def url(self, course) -> str:
        return f"{detail(course)}enroll/"

    def test_student_enrolls_in_a_free_course(self, client_for, course, student):
        response = client_for(student).post(self.url(course))
        assert response.status_code == 201
        body = response.json()
        assert (body["status"], body["source"], body["percent"], body["total_lessons"]) == (
            "active",
            "free",
            0,
            4,
        )
        course.refresh_from_db()
        assert course.learner_count == 1
        assert Enrollment.objects.filter(user=student, course=course, status="active").count() == 1

    def test_again_is_409(self, client_for, course, student):
        client = client_for(student)
        client.post(self.url(course))
        response = client.post(self.url(course))
        assert response.status_code == 409
        assert response.json()["code"] == "already_enrolled"
        course.refresh_from_db()
        assert course.learner_count == 1

    def test_paid_course_is_402(self, client_for, make_course, student):
        course = make_course(price=Decimal("499.00"))
        response = client_for(student).post(self.url(course))
        assert response.status_code == 402
        assert response.json()["code"] == "payment_required"
        assert not Enrollment.objects.exists()

    def test_already_bought_paid_course_is_409_not_402(self, client_for, make_course, student, enroll):
        course = make_course(price=Decimal("499.00"))
        enroll(student, course)
        assert client_for(student).post(self.url(course)).status_code == 409

    def test_unpublished_course_is_404_and_archived_is_409(self, client_for, make_course, student, enroll):
        assert client_for(student).post(self.url(make_course(status="draft"))).status_code == 404
        archived = make_course(status="archived")
        enroll(student, archived, status=Enrollment.Status.REVOKED)
        assert client_for(student).post(self.url(archived)).status_code == 404

    def test_only_students_enroll(self, client_for, course, instructor, admin_user):
        assert client_for(instructor).post(self.url(course)).status_code == 403
        assert client_for(admin_user).post(self.url(course)).status_code == 403
        assert client_for(None).post(self.url(course)).status_code == 401
        assert not Enrollment.objects.exists()
