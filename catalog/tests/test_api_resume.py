"""Continue where you left off: the player's position reports (one UPSERT) and GET /api/me/continue/."""

from __future__ import annotations

import pytest
import time_machine

from catalog.models import Enrollment, LessonPosition
from catalog.services import lesson_complete
from catalog.tests.conftest import lessons_of
from tests.support.concurrency import run_concurrently

pytestmark = pytest.mark.django_db


def _put(client, lesson, seconds):
    return client.put(f"/api/lessons/{lesson.pk}/position/", {"position_seconds": seconds}, format="json")


def test_a_learner_saves_and_overwrites_the_position(
    client_for, student, course, enroll, django_assert_max_num_queries
):
    enroll(student, course)
    lesson = lessons_of(course)[0]
    client = client_for(student)

    # the lesson with the enrollment (one query) + the UPSERT
    with django_assert_max_num_queries(2):
        first = _put(client, lesson, 42)
    assert first.status_code == 200
    assert first.json()["position_seconds"] == 42

    # Rewinding is honoured: the latest report wins
    assert _put(client, lesson, 10).status_code == 200
    row = LessonPosition.objects.get(user=student, lesson=lesson)
    assert (row.position_seconds, row.course_id) == (10, course.pk)
    assert LessonPosition.objects.count() == 1


@pytest.mark.parametrize("value", [-1, "abc", None, 10**9, 1.5])
def test_invalid_positions_are_400_and_store_nothing(client_for, student, course, enroll, value):
    enroll(student, course)
    response = _put(client_for(student), lessons_of(course)[0], value)
    assert response.status_code == 400
    assert "position_seconds" in response.json()["errors"]
    assert not LessonPosition.objects.exists()


def test_a_position_past_the_lessons_end_is_refused(client_for, student, course, enroll):
    enroll(student, course)
    lesson = lessons_of(course)[0]  # 60 seconds long
    assert _put(client_for(student), lesson, 60).status_code == 200
    response = _put(client_for(student), lesson, 61)
    assert response.status_code == 400
    assert response.json()["code"] == "position_beyond_duration"
    assert LessonPosition.objects.get().position_seconds == 60


def test_only_active_learners_save_positions(
    client_for, student, other_student, instructor, course, enroll, make_course
):
    enroll(other_student, course, status=Enrollment.Status.REVOKED)
    lesson = lessons_of(course)[0]
    assert _put(client_for(other_student), lesson, 5).json()["code"] == "not_enrolled"
    assert _put(client_for(instructor), lesson, 5).status_code == 403
    assert _put(client_for(), lesson, 5).status_code == 401
    draft = make_course(status="draft", modules=1, lessons=1)
    assert _put(client_for(student), lessons_of(draft)[0], 5).status_code == 404
    assert not LessonPosition.objects.exists()


def test_reports_are_rate_limited(client_for, student, course, enroll, settings):
    settings.LESSON_POSITION_RATE = "2/m"
    enroll(student, course)
    client, lesson = client_for(student), lessons_of(course)[0]
    assert [_put(client, lesson, n).status_code for n in range(3)] == [200, 200, 429]


def test_continue_gives_each_active_course_its_lesson_and_position(client_for, student, course, enroll, make_course):
    # Given three active courses: one watched, one watched then completed, one untouched; and a revoked one
    watched, finished_lesson, untouched = course, make_course(title="Go", modules=1, lessons=2), make_course(title="C")
    revoked = make_course(title="Old", modules=1, lessons=1)
    for c in (watched, finished_lesson, untouched):
        enroll(student, c)
    enroll(student, revoked, status=Enrollment.Status.REVOKED)
    client = client_for(student)
    with time_machine.travel("2026-06-01T10:00Z", tick=False):
        _put(client, lessons_of(watched)[1], 30)
    with time_machine.travel("2026-06-02T10:00Z", tick=False):
        _put(client, lessons_of(finished_lesson)[0], 55)
        lesson_complete(user=student, lesson=lessons_of(finished_lesson)[0])

    rows = client.get("/api/me/continue/").json()["results"]

    # Then the most recently watched course comes first; a completed lesson hands over to the next one
    assert [row["course"]["title"] for row in rows] == ["Go", "Python Basics", "C"]
    go, python, empty = rows
    assert (go["lesson"]["id"], go["position_seconds"]) == (str(lessons_of(finished_lesson)[1].pk), 0)
    assert (python["lesson"]["id"], python["position_seconds"]) == (str(lessons_of(watched)[1].pk), 30)
    assert python["last_watched_at"].startswith("2026-06-01")
    # A course without lessons has nothing to resume
    assert empty["lesson"] is None and empty["last_watched_at"] is None


def test_an_untouched_course_starts_at_its_first_lesson(client_for, student, course, enroll):
    enroll(student, course)
    (row,) = client_for(student).get("/api/me/continue/").json()["results"]
    assert (row["lesson"]["id"], row["position_seconds"]) == (str(lessons_of(course)[0].pk), 0)


def test_continue_is_for_students(client_for, instructor):
    assert client_for(instructor).get("/api/me/continue/").status_code == 403
    assert client_for().get("/api/me/continue/").status_code == 401


@pytest.mark.parametrize("courses", [1, 20])
def test_continue_query_count_is_fixed(
    client_for, student, enroll, make_course, django_assert_max_num_queries, courses
):
    client = client_for(student)
    for n in range(courses):
        c = make_course(title=f"Course {n}", modules=1, lessons=2)
        enroll(student, c)
        _put(client, lessons_of(c)[0], 12)
    # count + the page (every resume lesson and position as subqueries) + the resume lessons
    with django_assert_max_num_queries(3):
        rows = client.get("/api/me/continue/").json()["results"]
    assert len(rows) == courses and all(row["position_seconds"] == 12 for row in rows)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_reports_leave_one_row(student, course, enroll):
    enroll(student, course)
    lesson = lessons_of(course)[0]
    lesson.enrolled = True
    from catalog.services import lesson_position_save

    outcomes = run_concurrently(
        *(
            lambda s=s: lesson_position_save(user=student, lesson=lesson, position_seconds=s, enrolled=True)
            for s in range(8)
        )
    )
    assert not [o for o in outcomes if isinstance(o, BaseException)]
    assert LessonPosition.objects.filter(user=student, lesson=lesson).count() == 1
