"""GET /api/gamification/xp/ and /api/gamification/badges/: my XP and my badges."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from gamification.models import Badge, XPEvent
from gamification.serializers import XPSummarySerializer

XP_URL = "/api/gamification/xp/"
BADGES_URL = "/api/gamification/badges/"
pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


@pytest.mark.parametrize("url", [XP_URL, BADGES_URL])
def test_anonymous_is_401(client_for, url):
    response = client_for(None).get(url)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_my_xp_totals_and_recent_events(client_for, student, other_student, award):
    # given XP this week, XP two months ago, and another learner's XP
    lesson = award(student, "lesson_complete")
    course = award(student, "course_complete", at=timezone.now() - datetime.timedelta(days=70))
    award(other_student, "quiz_pass")
    # when I read my XP
    response = client_for(student).get(XP_URL)
    # then the totals come from my roll-ups and the events are mine, newest first
    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["this_week"], body["this_month"]) == (110, 10, 10)
    assert [event["id"] for event in body["events"]] == [str(lesson.pk), str(course.pk)]
    assert body["events"][0] == {
        "id": str(lesson.pk),
        "type": "lesson_complete",
        "points": 10,
        "timestamp": body["events"][0]["timestamp"],
        "source_type": "catalog.lesson",
        "source_id": str(lesson.source_id),
    }


@pytest.mark.parametrize("time_zone", ["Asia/Kolkata", "UTC"])
def test_my_xp_bytes_are_the_serializers(client_for, student, award, time_zone):
    # given a reversal (negative points) among my events, and the time zone the serializer writes times in
    award(student, "forum_post", at=timezone.now() - datetime.timedelta(days=3, microseconds=123))
    award(student, "lesson_complete")
    XPEvent.objects.create(
        user=student,
        type="reversal",
        points=-5,
        timestamp=timezone.now(),
        source_type="x.y",
        source_id=uuid.uuid4(),
        reverses=XPEvent.objects.filter(type="forum_post").get(),
    )
    with override_settings(TIME_ZONE=time_zone):
        # when I read my XP, and the serializer documented for it renders the same data from model instances
        response = client_for(student).get(XP_URL)
        body = response.json()
        events = XPEvent.objects.filter(user=student).order_by("-timestamp")
        expected = XPSummarySerializer({**body, "events": events}).data
    # then the bytes are the same
    assert response.content == JSONRenderer().render(expected)
    assert len(body["events"]) == 3


def test_my_xp_when_i_have_none(client_for, instructor):
    assert client_for(instructor).get(XP_URL).json() == {"total": 0, "this_week": 0, "this_month": 0, "events": []}


def test_my_xp_limit(client_for, student, give_points):
    give_points(student, 5)
    assert len(client_for(student).get(XP_URL, {"limit": 2}).json()["events"]) == 2
    assert len(client_for(student).get(XP_URL, {"limit": 999}).json()["events"]) == 5
    response = client_for(student).get(XP_URL, {"limit": "x"})
    assert response.status_code == 400
    assert "limit" in response.json()["errors"]


@pytest.mark.parametrize("events", [1, 20])
def test_my_xp_query_count(client_for, student, give_points, django_assert_max_num_queries, events):
    give_points(student, events)
    # the three current roll-up rows, the latest events
    with django_assert_max_num_queries(2):
        response = client_for(student).get(XP_URL)
    assert len(response.json()["events"]) == events


def test_badges_lists_all_with_my_earned_ones(client_for, student, other_student, award):
    # given I completed a lesson and another learner passed a quiz
    award(student, "lesson_complete")
    award(other_student, "quiz_pass")
    # when I list badges
    body = client_for(student).get(BADGES_URL).json()
    # then every badge is there, only mine are earned
    assert body["count"] == Badge.objects.count()
    by_code = {badge["code"]: badge for badge in body["results"]}
    assert by_code["first-lesson"]["earned"] is True
    assert by_code["first-lesson"]["awarded_at"] is not None
    assert by_code["first-quiz"] == {**by_code["first-quiz"], "earned": False, "awarded_at": None}
    assert by_code["xp-100"]["rule_type"] == "xp_total"
    assert by_code["xp-100"]["threshold"] == 100
    assert body["results"][0]["code"] == "first-lesson"


@pytest.mark.parametrize("earned", [1, 10])
def test_badges_query_count(client_for, student, award, django_assert_max_num_queries, earned):
    for code in [f"extra-{n}" for n in range(earned)]:
        Badge.objects.create(code=code, name=code, description="", rule_type="xp_total", threshold=1)
    award(student, "lesson_complete")
    # the page count, the badges with my awarded_at as a subquery
    with django_assert_max_num_queries(2):
        response = client_for(student).get(BADGES_URL, {"page_size": 100})
    assert sum(badge["earned"] for badge in response.json()["results"]) == earned + 1
