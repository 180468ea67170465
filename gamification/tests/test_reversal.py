"""xp_reverse_course: compensating ledger events for a refunded course (issue #15.8)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from model_bakery import baker

from gamification.models import ALL_TIME_START, XPEvent, XPTotal
from gamification.services import leaderboards_rebuild, xp_award, xp_reverse_course
from tests.support.concurrency import returned, run_concurrently

IST = ZoneInfo("Asia/Kolkata")
WEEK_48 = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=IST)  # Wednesday, November
WEEK_49 = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=IST)  # Wednesday, December

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_india_time")]


@pytest.fixture
def _india_time():
    with override_settings(TIME_ZONE="Asia/Kolkata"):
        yield


@pytest.fixture
def course():
    return baker.make("catalog.Course")


@pytest.fixture
def sources(course, student):
    """One source of each kind inside ``course``."""
    module = baker.make("catalog.Module", course=course)
    lesson = baker.make("catalog.Lesson", module=module)
    post = baker.make("forum.Post", course=course, user=student)
    reply = baker.make("forum.Reply", post=post, user=student)
    return {
        "lesson_complete": lesson,
        "quiz_pass": module,
        "course_complete": course,
        "forum_post": post,
        "answer_accepted": reply,
    }


def totals(user) -> dict[tuple[str, datetime.date], int]:
    return {(t.period, t.period_start): t.points for t in XPTotal.objects.filter(user=user)}


def test_every_award_of_the_course_is_reversed_in_its_own_period_and_nothing_else(student, sources):
    # given awards of every kind in the course in week 48, and an unrelated lesson in week 49
    for type, source in sources.items():
        xp_award(user=student, type=type, source=source, occurred_at=WEEK_48)
    other = xp_award(user=student, type="lesson_complete", source=baker.make("catalog.Lesson"), occurred_at=WEEK_49)
    # when the course is taken back
    reversals = xp_reverse_course(user=student, course=sources["course_complete"])
    # then each course award has its compensating event, the other lesson's award stands
    assert sorted(r.reverses.type for r in reversals) == sorted(sources)
    assert all(r.points == -r.reverses.points and r.source_id == r.reverses.pk for r in reversals)
    assert not XPEvent.objects.filter(pk=other.pk, reversal__isnull=False).exists()
    # and November/week 48 lose exactly what they gained; December/week 49 keep the other lesson
    assert totals(student) == {
        ("weekly", datetime.date(2026, 11, 30)): 10,
        ("monthly", datetime.date(2026, 12, 1)): 10,
        ("all_time", ALL_TIME_START): 10,
    }
    assert leaderboards_rebuild(fix=False).count == 0


def test_reversing_again_changes_nothing(student, sources):
    xp_award(user=student, type="lesson_complete", source=sources["lesson_complete"], occurred_at=WEEK_48)
    assert len(xp_reverse_course(user=student, course=sources["course_complete"])) == 1
    assert xp_reverse_course(user=student, course=sources["course_complete"]) == []
    assert XPEvent.objects.filter(type="reversal").count() == 1
    assert leaderboards_rebuild(fix=False).count == 0


def test_a_reversed_source_does_not_pay_again(student, sources):
    lesson = sources["lesson_complete"]
    xp_award(user=student, type="lesson_complete", source=lesson)
    xp_reverse_course(user=student, course=sources["course_complete"])
    assert xp_award(user=student, type="lesson_complete", source=lesson) is None
    assert not XPTotal.objects.filter(user=student).exists()


def test_other_learners_xp_in_the_course_is_untouched(student, other_student, sources):
    xp_award(user=other_student, type="lesson_complete", source=sources["lesson_complete"])
    xp_award(user=student, type="lesson_complete", source=sources["lesson_complete"])
    xp_reverse_course(user=student, course=sources["course_complete"])
    assert totals(other_student)[("all_time", ALL_TIME_START)] == 10
    assert not XPEvent.objects.filter(user=other_student, type="reversal").exists()


def test_a_reversal_row_cannot_be_edited_or_shaped_wrong(student, sources):
    from django.db import IntegrityError, transaction

    award = xp_award(user=student, type="lesson_complete", source=sources["lesson_complete"])
    (reversal,) = xp_reverse_course(user=student, course=sources["course_complete"])
    with pytest.raises(ValueError, match="append-only"):
        reversal.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        # a negative award that is not a reversal
        XPEvent.objects.create(
            user=student,
            type="lesson_complete",
            points=-5,
            timestamp=award.timestamp,
            source_type="x",
            source_id=award.pk,
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_refund_deliveries_reverse_once(student, sources):
    for type, source in sources.items():
        xp_award(user=student, type=type, source=source, occurred_at=WEEK_48)
    results = returned(
        run_concurrently(lambda: len(xp_reverse_course(user=student, course=sources["course_complete"])), times=6)
    )
    assert sorted(results) == [0, 0, 0, 0, 0, 5]
    assert XPEvent.objects.filter(type="reversal").count() == 5
    assert not XPTotal.objects.filter(user=student).exists()
    assert leaderboards_rebuild(fix=False).count == 0
