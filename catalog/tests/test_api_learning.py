"""Learning: completing lessons, my enrollments and per-lesson progress."""

from __future__ import annotations

import pytest
from django.utils import timezone

from catalog.models import Enrollment, LessonProgress
from catalog.tests.conftest import lessons_of

pytestmark = pytest.mark.django_db


def complete(client, lesson):
    return client.post(f"/api/lessons/{lesson.pk}/complete/")


class TestLessonComplete:
    def test_records_progress_and_returns_course_progress(self, client_for, course, student, enroll):
        enroll(student, course)
        lesson = lessons_of(course)[0]
        response = complete(client_for(student), lesson)
        assert response.status_code == 200
        body = response.json()
        assert (body["completed_lessons"], body["total_lessons"], body["percent"]) == (1, 4, 25)
        assert body["last_lesson"]["id"] == str(lesson.pk)
        assert body["completed_at"] is None
        assert LessonProgress.objects.filter(user=student, lesson=lesson).count() == 1

    def test_is_idempotent(self, client_for, course, student, enroll):
        enroll(student, course)
        lesson = lessons_of(course)[0]
        client = client_for(student)
        complete(client, lesson)
        response = complete(client, lesson)
        assert response.status_code == 200
        assert response.json()["completed_lessons"] == 1
        assert LessonProgress.objects.filter(user=student).count() == 1

    def test_last_lesson_completes_the_course_once(self, client_for, course, student, enroll, completions):
        enroll(student, course)
        client = client_for(student)
        for lesson in lessons_of(course):
            complete(client, lesson)
        body = complete(client, lessons_of(course)[-1]).json()
        assert body["percent"] == 100
        assert body["completed_at"] is not None
        assert completions == [(student.pk, course.pk)]

    def test_unpassed_module_quiz_holds_completion_back(self, client_for, course, student, enroll, completions):
        from model_bakery import baker

        baker.make("assessments.Quiz", module=course.modules.first(), options=["a", "b"], correct_option=0, position=1)
        enroll(student, course)
        client = client_for(student)
        for lesson in lessons_of(course):
            body = complete(client, lesson).json()
        assert (body["percent"], body["completed_at"]) == (100, None)
        assert completions == []

    def test_not_enrolled_or_revoked_is_403(self, client_for, course, student, other_student, enroll):
        enroll(other_student, course, status=Enrollment.Status.REVOKED)
        for user in (student, other_student):
            response = complete(client_for(user), lessons_of(course)[0])
            assert response.status_code == 403
            assert response.json()["code"] == "not_enrolled"
        assert not LessonProgress.objects.exists()

    def test_only_students_and_unknown_lesson_is_404(self, client_for, course, instructor, student):
        assert complete(client_for(instructor), lessons_of(course)[0]).status_code == 403
        assert complete(client_for(None), lessons_of(course)[0]).status_code == 401
        response = client_for(student).post("/api/lessons/00000000-0000-0000-0000-000000000000/complete/")
        assert response.status_code == 404


class TestMyEnrollments:
    def test_lists_my_courses_with_progress(self, client_for, course, make_course, student, other_student, enroll):
        lessons = lessons_of(course)
        enroll(student, course, completed_lessons=1, progress_percent=25, last_lesson=lessons[0])
        enroll(other_student, make_course(title="Not mine"))
        response = client_for(student).get("/api/enrollments/")
        assert response.status_code == 200
        (item,) = response.json()["results"]
        assert item["course"]["id"] == str(course.pk)
        assert (item["percent"], item["completed_lessons"], item["total_lessons"]) == (25, 1, 4)
        assert item["last_lesson"] == {
            "id": str(lessons[0].pk),
            "title": "Lesson 1.1",
            "module": str(lessons[0].module_id),
            "position": 1,
        }

    def test_revoked_enrollment_keeps_its_history(self, client_for, course, student, enroll):
        enroll(student, course, status=Enrollment.Status.REVOKED, revoked_at=timezone.now(), progress_percent=50)
        (item,) = client_for(student).get("/api/enrollments/").json()["results"]
        assert (item["status"], item["percent"]) == ("revoked", 50)

    def test_only_students(self, client_for, instructor):
        assert client_for(instructor).get("/api/enrollments/").status_code == 403
        assert client_for(None).get("/api/enrollments/").status_code == 401

    @pytest.mark.parametrize("count", [1, 25])
    def test_query_count(self, client_for, make_course, student, enroll, count, django_assert_max_num_queries):
        for _ in range(count):
            course = make_course(modules=1, lessons=2)
            enroll(student, course, last_lesson=lessons_of(course)[0])
        client = client_for(student)
        # One page with course, domain, instructor, last lesson and lesson totals; no COUNT(*), as page 1 is not full
        with django_assert_max_num_queries(1):
            assert client.get("/api/enrollments/", {"page_size": 100}).json()["count"] == count


class TestEnrollmentDetail:
    def url(self, course) -> str:
        return f"/api/enrollments/{course.pk}/"

    def test_progress_lesson_by_lesson(self, client_for, course, student, enroll):
        enroll(student, course)
        done = lessons_of(course)[1]
        LessonProgress.objects.create(user=student, lesson=done, course=course, completed_at=timezone.now())
        response = client_for(student).get(self.url(course))
        assert response.status_code == 200
        modules = response.json()["modules"]
        flags = [(lesson["title"], lesson["completed"]) for m in modules for lesson in m["lessons"]]
        assert flags == [("Lesson 1.1", False), ("Lesson 1.2", True), ("Lesson 2.1", False), ("Lesson 2.2", False)]
        assert modules[0]["lessons"][1]["completed_at"] is not None

    def test_someone_elses_or_no_enrollment_is_404(self, client_for, course, student, other_student, enroll):
        enroll(other_student, course)
        assert client_for(student).get(self.url(course)).status_code == 404
        assert client_for(student).get("/api/enrollments/not-a-uuid/").status_code == 404

    @pytest.mark.parametrize("size", [1, 10])
    def test_query_count(self, client_for, make_course, student, enroll, size, django_assert_max_num_queries):
        course = make_course(modules=size, lessons=size)
        enroll(student, course)
        client = client_for(student)
        # the enrollment with its course, the modules, their lessons, the learner's ticks
        with django_assert_max_num_queries(4):
            body = client.get(self.url(course)).json()
        assert sum(len(m["lessons"]) for m in body["modules"]) == size * size
