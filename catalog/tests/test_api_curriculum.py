"""Modules and lessons: reading by visibility, writing by the course's instructor and admins, positions."""

from __future__ import annotations

import pytest

from catalog.models import Enrollment, Lesson, Module
from catalog.tests.conftest import lessons_of

pytestmark = pytest.mark.django_db


def positions(queryset) -> list[tuple[str, int]]:
    return list(queryset.order_by("position").values_list("title", "position"))


class TestModulesRead:
    def test_anyone_lists_modules_of_a_published_course(self, client_for, course):
        response = client_for(None).get("/api/modules/", {"course": str(course.pk)})
        assert response.status_code == 200
        results = response.json()["results"]
        assert [(m["title"], m["position"], m["lesson_count"]) for m in results] == [
            ("Module 1", 1, 2),
            ("Module 2", 2, 2),
        ]

    def test_draft_modules_only_for_owner_and_admin(
        self, client_for, make_course, instructor, admin_user, other_instructor
    ):
        draft = make_course(status="draft", modules=1)
        module = draft.modules.get()
        assert client_for(other_instructor).get("/api/modules/", {"course": str(draft.pk)}).json()["count"] == 0
        assert client_for(other_instructor).get(f"/api/modules/{module.pk}/").status_code == 404
        for user in (instructor, admin_user):
            assert client_for(user).get(f"/api/modules/{module.pk}/").status_code == 200

    def test_bad_course_filter_is_400(self, client_for):
        response = client_for(None).get("/api/modules/", {"course": "nope"})
        assert response.status_code == 400
        assert "course" in response.json()["errors"]

    @pytest.mark.parametrize("size", [1, 30])
    def test_query_count(self, client_for, make_course, size, django_assert_max_num_queries):
        course = make_course(modules=size, lessons=1)
        client = client_for(None)
        with django_assert_max_num_queries(2):  # COUNT(*) and the page with lesson counts
            assert client.get("/api/modules/", {"course": str(course.pk), "page_size": 100}).json()["count"] == size


class TestModulesWrite:
    def test_owner_appends_and_inserts_keeping_positions_gap_free(self, client_for, instructor, course):
        client = client_for(instructor)
        appended = client.post("/api/modules/", {"course": str(course.pk), "title": "Last"}, format="json")
        inserted = client.post(
            "/api/modules/", {"course": str(course.pk), "title": "First", "position": 1}, format="json"
        )
        beyond = client.post("/api/modules/", {"course": str(course.pk), "title": "Far", "position": 99}, format="json")
        assert (appended.status_code, inserted.status_code, beyond.status_code) == (201, 201, 201)
        assert appended.json()["position"] == 3
        assert beyond.json()["position"] == 5
        assert positions(course.modules) == [("First", 1), ("Module 1", 2), ("Module 2", 3), ("Last", 4), ("Far", 5)]

    def test_move_and_delete_renumber(self, client_for, instructor, make_course):
        course = make_course(modules=4)
        client = client_for(instructor)
        m = {mod.title: mod for mod in course.modules.all()}
        assert client.patch(f"/api/modules/{m['Module 4'].pk}/", {"position": 1}, format="json").json()["position"] == 1
        assert positions(course.modules) == [("Module 4", 1), ("Module 1", 2), ("Module 2", 3), ("Module 3", 4)]
        client.patch(f"/api/modules/{m['Module 4'].pk}/", {"position": 3, "title": "Moved"}, format="json")
        assert positions(course.modules) == [("Module 1", 1), ("Module 2", 2), ("Moved", 3), ("Module 3", 4)]
        assert client.delete(f"/api/modules/{m['Module 1'].pk}/").status_code == 204
        assert positions(course.modules) == [("Module 2", 1), ("Moved", 2), ("Module 3", 3)]

    def test_other_instructor_and_student_are_403(self, client_for, course, other_instructor, student):
        module = course.modules.first()
        for user in (other_instructor, student):
            client = client_for(user)
            assert (
                client.post("/api/modules/", {"course": str(course.pk), "title": "X"}, format="json").status_code == 403
            )
            assert client.patch(f"/api/modules/{module.pk}/", {"title": "X"}, format="json").status_code == 403
            assert client.delete(f"/api/modules/{module.pk}/").status_code == 403
        assert course.modules.count() == 2
        assert Module.objects.get(pk=module.pk).title == "Module 1"

    def test_admin_writes_any_course(self, client_for, admin_user, course):
        response = client_for(admin_user).post("/api/modules/", {"course": str(course.pk), "title": "A"}, format="json")
        assert response.status_code == 201

    @pytest.mark.parametrize(
        "body",
        [
            {"title": ""},
            {"title": "x" * 201},
            {"position": 0},
            {"position": "first"},
            {"pass_mark": 101},
            {"course": "00000000-0000-0000-0000-000000000000"},
        ],
    )
    def test_invalid_input_is_400(self, client_for, instructor, course, body):
        response = client_for(instructor).post(
            "/api/modules/", {"course": str(course.pk), "title": "T", **body}, format="json"
        )
        assert response.status_code == 400
        assert set(body) <= set(response.json()["errors"])
        assert course.modules.count() == 2


class TestLessons:
    def test_content_read_by_learner_owner_admin_and_previews_by_anyone(
        self, client_for, course, student, other_student, instructor, admin_user, enroll
    ):
        enroll(student, course)
        first = lessons_of(course)[0]
        Lesson.objects.filter(pk=first.pk).update(is_preview=True)
        module = first.module
        for user in (student, instructor, admin_user):
            response = client_for(user).get("/api/lessons/", {"module": str(module.pk)})
            assert [item["title"] for item in response.json()["results"]] == ["Lesson 1.1", "Lesson 1.2"]
            assert response.json()["results"][1]["video_url"] == "https://video.example.com/1-2"
        for user in (None, other_student):
            results = client_for(user).get("/api/lessons/", {"module": str(module.pk)}).json()["results"]
            assert [item["title"] for item in results] == ["Lesson 1.1"]
            assert client_for(user).get(f"/api/lessons/{lessons_of(course)[1].pk}/").status_code == 404

    def test_revoked_learner_loses_content(self, client_for, course, student, enroll):
        enroll(student, course, status=Enrollment.Status.REVOKED)
        assert client_for(student).get(f"/api/lessons/{lessons_of(course)[1].pk}/").status_code == 404

    def test_owner_creates_moves_and_deletes(self, client_for, instructor, course):
        module = course.modules.get(position=1)
        client = client_for(instructor)
        response = client.post(
            "/api/lessons/",
            {
                "module": str(module.pk),
                "title": "Intro",
                "position": 1,
                "video_url": "https://v.example.com/x",
                "duration_seconds": 300,
                "is_preview": True,
            },
            format="json",
        )
        assert response.status_code == 201
        body = response.json()
        assert (body["position"], body["course"], body["is_preview"]) == (1, str(course.pk), True)
        assert positions(module.lessons) == [("Intro", 1), ("Lesson 1.1", 2), ("Lesson 1.2", 3)]
        assert client.patch(f"/api/lessons/{body['id']}/", {"position": 3}, format="json").status_code == 200
        assert positions(module.lessons) == [("Lesson 1.1", 1), ("Lesson 1.2", 2), ("Intro", 3)]
        assert client.delete(f"/api/lessons/{module.lessons.get(position=1).pk}/").status_code == 204
        assert positions(module.lessons) == [("Lesson 1.2", 1), ("Intro", 2)]

    def test_other_instructor_and_student_are_403(self, client_for, course, other_instructor, student, enroll):
        enroll(student, course)
        lesson = lessons_of(course)[0]
        for user in (other_instructor, student):
            client = client_for(user)
            body = {"module": str(lesson.module_id), "title": "X"}
            assert client.post("/api/lessons/", body, format="json").status_code == 403
            assert client.patch(f"/api/lessons/{lesson.pk}/", {"title": "X"}, format="json").status_code == 403
            assert client.delete(f"/api/lessons/{lesson.pk}/").status_code == 403
        assert Lesson.objects.get(pk=lesson.pk).title == "Lesson 1.1"

    @pytest.mark.parametrize(
        "body",
        [
            {"video_url": "ftp://files.example.com/v.mp4"},
            {"materials_url": "not a url"},
            {"subtitle_url": "javascript:alert(1)"},
            {"position": -1},
            {"duration_seconds": -5},
            {"title": "x" * 201},
            {"module": "00000000-0000-0000-0000-000000000000"},
        ],
    )
    def test_invalid_input_is_400(self, client_for, instructor, course, body):
        module = course.modules.first()
        response = client_for(instructor).post(
            "/api/lessons/", {"module": str(module.pk), "title": "T", **body}, format="json"
        )
        assert response.status_code == 400
        assert set(body) <= set(response.json()["errors"])

    def test_deleting_a_lesson_of_a_course_with_learners_is_409_and_keeps_their_progress(
        self, client_for, instructor, course, student, enroll
    ):
        # given a learner who finished 3 of 4 lessons (75 %)
        from django.utils import timezone

        from catalog.models import LessonProgress

        enrollment = enroll(student, course, completed_lessons=3, progress_percent=75)
        lessons = lessons_of(course)
        for lesson in lessons[:3]:
            LessonProgress.objects.create(user=student, lesson=lesson, course=course, completed_at=timezone.now())
        # when the instructor deletes a lesson the learner completed
        response = client_for(instructor).delete(f"/api/lessons/{lessons[0].pk}/")
        # then it is refused with what to do instead, and nothing of the learner's history moved
        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "course_has_learners"
        assert "archive the course" in body["detail"] and "Edit it instead" in body["detail"]
        assert Lesson.objects.filter(pk=lessons[0].pk).exists()
        assert LessonProgress.objects.filter(user=student).count() == 3
        enrollment.refresh_from_db()
        assert (enrollment.completed_lessons, enrollment.progress_percent) == (3, 75)

    @pytest.mark.parametrize("size", [1, 30])
    def test_query_count(self, client_for, make_course, student, enroll, size, django_assert_max_num_queries):
        course = make_course(modules=1, lessons=size)
        enroll(student, course)
        client = client_for(student)
        with django_assert_max_num_queries(2):  # COUNT(*) and the page with its module
            assert client.get("/api/lessons/", {"course": str(course.pk), "page_size": 100}).json()["count"] == size
