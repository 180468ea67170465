"""Learning streaks: local days (TIME_ZONE) with a completed lesson or a passed quiz, read from that activity."""

from __future__ import annotations

import datetime

import pytest
from model_bakery import baker

from catalog.models import LessonProgress
from common.timeutils import local_midnight, local_today
from gamification.models import UserBadge
from gamification.selectors import learning_days, streak_get

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]

DAY = datetime.timedelta(days=1)


@pytest.fixture
def activity(student, instructor):
    """``activity(day, hour=..., kind="lesson"|"quiz"|"failed_quiz")``: something the student did then."""
    course = baker.make("catalog.Course", instructor=instructor, status="published")
    module = baker.make("catalog.Module", course=course, position=1)

    def make(day: datetime.date, *, hour: int = 12, kind: str = "lesson"):
        at = local_midnight(day) + datetime.timedelta(hours=hour)
        if kind == "lesson":
            lesson = baker.make("catalog.Lesson", module=module, position=LessonProgress.objects.count() + 1)
            return LessonProgress.objects.create(user=student, lesson=lesson, course=course, completed_at=at)
        attempt = baker.make(
            "assessments.QuizAttempt",
            user=student,
            module=module,
            score=1,
            total=1,
            pass_mark=50,
            passed=kind == "quiz",
        )
        type(attempt).objects.filter(pk=attempt.pk).update(created_at=at)
        return attempt

    return make


def _get(client):
    response = client.get("/api/gamification/streak/")
    assert response.status_code == 200
    return response.json()


def test_no_activity_no_streak(client_for, student):
    assert _get(client_for(student)) == {"current": 0, "longest": 0, "today_counted": False}


def test_consecutive_days_count_and_today_may_still_come(client_for, student, activity):
    today = local_today()
    for back in (1, 2, 3):  # yesterday and the two days before
        activity(today - back * DAY)
    activity(today - 6 * DAY)  # an older single day

    # Today is still open: the streak that reached yesterday stands
    assert _get(client_for(student)) == {"current": 3, "longest": 3, "today_counted": False}

    activity(today, kind="quiz")  # a passed quiz makes today a learning day too
    assert _get(client_for(student)) == {"current": 4, "longest": 4, "today_counted": True}


def test_a_missed_day_breaks_the_current_streak_but_not_the_longest(client_for, student, activity):
    today = local_today()
    for back in (3, 4, 5, 6, 7):
        activity(today - back * DAY)
    activity(today - 2 * DAY, kind="failed_quiz")  # a failed quiz is not learning progress
    assert _get(client_for(student)) == {"current": 0, "longest": 5, "today_counted": False}


def test_days_are_local_days_not_utc_days(student, activity, settings):
    # Two completions 2 hours apart across local midnight are two days; many on one day are one.
    today = local_today()
    activity(today - DAY, hour=23)
    activity(today, hour=1)
    activity(today, hour=2)
    assert streak_get(user=student, today=today).current == 2


def test_days_follow_the_time_zone_in_force(student, activity, settings):
    # given a completion at 20:00 UTC on 2026-11-25, which is 01:30 on the 26th in India
    # (the days' SQL is compiled once per zone: a zone changed in a running process is still honoured)

    settings.TIME_ZONE = "UTC"
    LessonProgress.objects.filter(pk=activity(datetime.date(2026, 11, 25)).pk).update(
        completed_at=datetime.datetime(2026, 11, 25, 20, 0, tzinfo=datetime.UTC)
    )
    assert learning_days(user=student) == {datetime.date(2026, 11, 25)}
    settings.TIME_ZONE = "Asia/Kolkata"
    assert learning_days(user=student) == {datetime.date(2026, 11, 26)}
    settings.TIME_ZONE = "UTC"
    assert learning_days(user=student) == {datetime.date(2026, 11, 25)}


def test_streak_badges_are_awarded_by_the_lesson_completion_that_reaches_them(student, instructor, activity):
    from catalog.services import enrollment_create, lesson_complete

    today = local_today()
    activity(today - 2 * DAY)
    activity(today - DAY)
    course = baker.make("catalog.Course", instructor=instructor, status="published", price=0)
    lesson = baker.make("catalog.Lesson", module__course=course, module__position=1, position=1)
    enrollment_create(user=student, course=course)

    lesson_complete(user=student, lesson=lesson)

    codes = set(UserBadge.objects.filter(user=student).values_list("badge__code", flat=True))
    assert "streak-3" in codes and "streak-7" not in codes


def test_the_streak_is_one_query(client_for, student, activity, django_assert_max_num_queries):
    today = local_today()
    for back in range(20):
        activity(today - back * DAY)
    with django_assert_max_num_queries(1):  # the UNION of lesson and quiz days
        assert _get(client_for(student))["current"] == 20


def test_anonymous_is_refused(client_for):
    assert client_for().get("/api/gamification/streak/").status_code == 401
