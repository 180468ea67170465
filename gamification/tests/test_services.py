"""xp_award: idempotence, points, roll-ups per period, the forum cap, badges; and the roll-up rebuild."""

from __future__ import annotations

import datetime
import threading
import uuid
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import override_settings
from model_bakery import baker

from gamification.models import ALL_TIME_START, Badge, UserBadge, XPEvent, XPTotal
from gamification.services import leaderboards_rebuild, xp_award, xp_reverse_course
from gamification.tests.conftest import seed_migration
from tests.support.concurrency import another_session, returned, run_concurrently

IST = ZoneInfo("Asia/Kolkata")
pytestmark = [pytest.mark.django_db, pytest.mark.calendar, pytest.mark.usefixtures("_india_time")]


@pytest.fixture
def _india_time():
    with override_settings(TIME_ZONE="Asia/Kolkata"):
        yield


def totals(user) -> dict[tuple[str, datetime.date], int]:
    return {(t.period, t.period_start): t.points for t in XPTotal.objects.filter(user=user)}


def badge_codes(user) -> set[str]:
    return set(UserBadge.objects.filter(user=user).values_list("badge__code", flat=True))


class TestXPAward:
    def test_records_the_event_and_adds_to_every_period(self, student):
        # given a lesson completed on Wednesday 2026-11-25 at 10:00 in India
        lesson = baker.prepare("catalog.Lesson")
        at = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=IST)
        # when XP is awarded for it
        event = xp_award(user=student, type="lesson_complete", source=lesson, occurred_at=at)
        # then the ledger has one 10-point event naming its source, and each roll-up holds 10
        assert event is not None
        row = XPEvent.objects.get()
        assert (row.user, row.type, row.points, row.timestamp) == (student, "lesson_complete", 10, at)
        assert (row.source_type, row.source_id) == ("catalog.lesson", lesson.pk)
        assert totals(student) == {
            ("weekly", datetime.date(2026, 11, 23)): 10,
            ("monthly", datetime.date(2026, 11, 1)): 10,
            ("all_time", ALL_TIME_START): 10,
        }

    def test_same_source_pays_once(self, student, award):
        # given a lesson that already paid
        lesson = baker.prepare("catalog.Lesson")
        assert award(student, "lesson_complete", source=lesson) is not None
        # when it is awarded again
        again = award(student, "lesson_complete", source=lesson)
        # then nothing changes
        assert again is None
        assert XPEvent.objects.count() == 1
        assert set(totals(student).values()) == {10}

    def test_same_source_for_another_user_or_type_pays(self, student, other_student, award):
        module = baker.prepare("catalog.Module")
        assert award(student, "quiz_pass", source=module) is not None
        assert award(other_student, "quiz_pass", source=module) is not None
        assert XPEvent.objects.count() == 2

    @override_settings(
        XP_POINTS={
            "lesson_complete": 7,
            "quiz_pass": 30,
            "course_complete": 200,
            "forum_post": 2,
            "answer_accepted": 3,
        }
    )
    def test_points_come_from_settings(self, student, award):
        for type in ["lesson_complete", "quiz_pass", "course_complete", "forum_post", "answer_accepted"]:
            award(student, type)
        assert dict(XPEvent.objects.values_list("type", "points")) == {
            "lesson_complete": 7,
            "quiz_pass": 30,
            "course_complete": 200,
            "forum_post": 2,
            "answer_accepted": 3,
        }
        assert totals(student)[("all_time", ALL_TIME_START)] == 242

    def test_default_points(self, student, award):
        for type in ["lesson_complete", "quiz_pass", "course_complete", "forum_post", "answer_accepted"]:
            award(student, type)
        assert dict(XPEvent.objects.values_list("type", "points")) == {
            "lesson_complete": 10,
            "quiz_pass": 25,
            "course_complete": 100,
            "forum_post": 5,
            "answer_accepted": 15,
        }

    def test_unknown_type_is_refused(self, student):
        with pytest.raises(ValueError, match="Unknown XP event type"):
            xp_award(user=student, type="bribe", source=baker.prepare("catalog.Lesson"))
        assert not XPEvent.objects.exists()

    def test_ledger_rows_cannot_be_edited(self, student, award):
        event = award(student)
        event.points = 1000
        with pytest.raises(ValueError, match="append-only"):
            event.save()


class TestPeriodBoundaries:
    def test_sunday_2359_is_last_week_and_monday_0000_is_this_week(self, student, award):
        # given one award a minute before and one exactly at Monday 2026-11-23 00:00 in India
        award(student, at=datetime.datetime(2026, 11, 22, 23, 59, tzinfo=IST))
        award(student, at=datetime.datetime(2026, 11, 23, 0, 0, tzinfo=IST))
        # then they land in different ISO weeks but the same month
        rows = totals(student)
        assert rows[("weekly", datetime.date(2026, 11, 16))] == 10
        assert rows[("weekly", datetime.date(2026, 11, 23))] == 10
        assert rows[("monthly", datetime.date(2026, 11, 1))] == 20

    def test_week_is_local_time_not_utc(self, student, award):
        # Monday 00:30 in India is still Sunday 19:00 UTC: it belongs to the new week.
        award(student, at=datetime.datetime(2026, 11, 22, 19, 0, tzinfo=datetime.UTC))
        assert ("weekly", datetime.date(2026, 11, 23)) in totals(student)

    def test_month_boundary(self, student, award):
        award(student, at=datetime.datetime(2026, 11, 30, 23, 59, tzinfo=IST))
        award(student, at=datetime.datetime(2026, 12, 1, 0, 0, tzinfo=IST))
        rows = totals(student)
        assert rows[("monthly", datetime.date(2026, 11, 1))] == 10
        assert rows[("monthly", datetime.date(2026, 12, 1))] == 10
        # Mon 30 Nov and Tue 1 Dec share an ISO week
        assert rows[("weekly", datetime.date(2026, 11, 30))] == 20


class TestForumDailyCap:
    @override_settings(XP_FORUM_DAILY_CAP=12)
    def test_forum_xp_is_clipped_at_the_cap_and_capped_sources_never_pay(self, student, award):
        # given 5-point posts and a cap of 12 per day
        at = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=IST)
        posts = [baker.prepare("forum.Post") for _ in range(4)]
        # when four posts are made the same day
        paid = [award(student, "forum_post", at=at, source=post).points for post in posts]
        # then the third is clipped and the fourth is recorded with no points
        assert paid == [5, 5, 2, 0]
        assert totals(student)[("all_time", ALL_TIME_START)] == 12
        # and a capped post never pays later
        assert award(student, "forum_post", at=at + datetime.timedelta(days=1), source=posts[3]) is None

    @override_settings(XP_FORUM_DAILY_CAP=10)
    def test_accepted_answers_share_the_cap_but_learning_does_not(self, student, award):
        at = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=IST)
        award(student, "forum_post", at=at)
        assert award(student, "answer_accepted", at=at).points == 5
        assert award(student, "lesson_complete", at=at).points == 10

    @override_settings(XP_FORUM_DAILY_CAP=5)
    def test_cap_resets_at_local_midnight(self, student, award):
        award(student, "forum_post", at=datetime.datetime(2026, 11, 25, 23, 59, tzinfo=IST))
        assert award(student, "forum_post", at=datetime.datetime(2026, 11, 25, 23, 59, 30, tzinfo=IST)).points == 0
        assert award(student, "forum_post", at=datetime.datetime(2026, 11, 26, 0, 0, tzinfo=IST)).points == 5

    def test_cap_is_per_user(self, student, other_student, award):
        at = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=IST)
        for _ in range(11):
            award(student, "forum_post", at=at)
        assert award(other_student, "forum_post", at=at).points == 5
        assert totals(student)[("all_time", ALL_TIME_START)] == 50


class TestBadges:
    def test_migration_seeds_the_catalogue_with_data_driven_rules(self):
        # given an empty catalogue, when the data migration runs
        Badge.objects.all().delete()
        seed_migration.seed(apps, None)
        # then at least eight rules exist, as data
        codes = set(Badge.objects.values_list("code", flat=True))
        assert {
            "first-lesson",
            "first-quiz",
            "first-course",
            "five-courses",
            "xp-100",
            "xp-500",
            "xp-1000",
            "ten-accepted-answers",
        } <= codes
        assert Badge.objects.get(code="five-courses").threshold == 5

    def test_first_lesson_badge_is_awarded_once(self, student, award):
        award(student, "lesson_complete")
        first = UserBadge.objects.get(user=student, badge__code="first-lesson")
        award(student, "lesson_complete")
        assert UserBadge.objects.filter(user=student, badge__code="first-lesson").count() == 1
        assert UserBadge.objects.get(user=student, badge__code="first-lesson").awarded_at == first.awarded_at

    def test_badge_is_awarded_at_the_event_that_reaches_the_threshold(self, student, award):
        # 4 courses = 400 XP: first-course and xp-100 but not five-courses nor xp-500
        for _ in range(4):
            award(student, "course_complete")
        assert badge_codes(student) == {"first-course", "xp-100"}
        award(student, "course_complete")
        assert badge_codes(student) == {"first-course", "five-courses", "xp-100", "xp-500"}

    def test_xp_thresholds(self, student, give_points):
        give_points(student, 9)
        assert "xp-100" not in badge_codes(student)
        give_points(student, 1)
        assert {"first-lesson", "xp-100"} <= badge_codes(student)

    def test_ten_accepted_answers(self, student, award):
        # accepted answers count even when the forum cap leaves them no points
        for _ in range(9):
            award(student, "answer_accepted", at=datetime.datetime(2026, 11, 25, 9, 0, tzinfo=IST))
        assert "ten-accepted-answers" not in badge_codes(student)
        award(student, "answer_accepted", at=datetime.datetime(2026, 11, 25, 9, 0, tzinfo=IST))
        assert "ten-accepted-answers" in badge_codes(student)

    def test_a_badge_added_later_is_earned_on_the_next_qualifying_event(self, student, give_points):
        give_points(student, 3)
        baker.make(Badge, code="three-lessons", rule_type="event_count", event_type="lesson_complete", threshold=3)
        assert "three-lessons" not in badge_codes(student)
        give_points(student, 1)
        assert "three-lessons" in badge_codes(student)

    def test_event_count_badges_count_only_standing_awards(self, student, instructor, award):
        # given a badge for two lessons, and a lesson award whose course was then refunded (reversed)
        baker.make(Badge, code="two-lessons", rule_type="event_count", event_type="lesson_complete", threshold=2)
        refunded = baker.make("catalog.Lesson", module__course__instructor=instructor)
        award(student, "lesson_complete", source=refunded)
        xp_reverse_course(user=student, course=refunded.module.course)
        # when another lesson pays, then one standing award is not two
        award(student, "lesson_complete")
        assert "two-lessons" not in badge_codes(student)
        # and the next one earns it
        award(student, "lesson_complete")
        assert "two-lessons" in badge_codes(student)

    def test_each_event_type_checks_its_own_rules(self, student, award):
        # given one count badge per type, each at 1 (the candidates' SQL is compiled once per event type)
        for type in ("quiz_pass", "forum_post"):
            baker.make(
                Badge, code=f"one-{type}".replace("_", "-"), rule_type="event_count", event_type=type, threshold=1
            )
        # when a quiz pays, only the quiz badge is earned; then a post earns its own
        award(student, "quiz_pass")
        assert {"one-quiz-pass", "one-forum-post"} & badge_codes(student) == {"one-quiz-pass"}
        award(student, "forum_post")
        assert {"one-quiz-pass", "one-forum-post"} <= badge_codes(student)

    def test_an_award_reads_its_badge_facts_in_few_statements(self, student, award, django_assert_num_queries):
        # given a learner who holds the first-lesson badge, with a count badge still ahead of them
        award(student, "lesson_complete")
        baker.make(Badge, code="three-lessons", rule_type="event_count", event_type="lesson_complete", threshold=3)
        # when another lesson pays: the user lock, the ledger insert, the roll-ups, the badge candidates with the
        # standing count their rule needs, the learning days of the streak rules (no badge earned: no insert)
        with django_assert_num_queries(5):
            award(student, "lesson_complete")
        assert "three-lessons" not in badge_codes(student)
        award(student, "lesson_complete")
        assert "three-lessons" in badge_codes(student)

    def test_badges_are_rolled_back_with_the_award(self, student):
        # given an award inside a transaction that the caller then rolls back

        class Boom(Exception):
            pass

        with pytest.raises(Boom), transaction.atomic():
            xp_award(user=student, type="lesson_complete", source=baker.prepare("catalog.Lesson"))
            raise Boom
        # then nothing of it is left
        assert not XPEvent.objects.exists()
        assert not XPTotal.objects.exists()
        assert not UserBadge.objects.exists()


class TestRebuild:
    def test_rollups_equal_the_ledger_after_a_rebuild(self, student, other_student, award):
        # given awards over two weeks and two months, then roll-ups damaged in three ways
        award(student, at=datetime.datetime(2026, 10, 31, 12, 0, tzinfo=IST))
        award(student, "quiz_pass", at=datetime.datetime(2026, 11, 2, 0, 0, tzinfo=IST))
        award(other_student, "course_complete", at=datetime.datetime(2026, 11, 25, 9, 0, tzinfo=IST))
        expected = {user.pk: totals(user) for user in (student, other_student)}
        untouched = set(
            XPTotal.objects.filter(user=other_student).exclude(period="weekly").values_list("pk", "updated_at")
        )
        XPTotal.objects.filter(user=student, period="monthly").update(points=999)  # wrong
        XPTotal.objects.filter(user=other_student, period="weekly").delete()  # missing
        baker.make(XPTotal, user=student, period="weekly", period_start=datetime.date(2026, 1, 5), points=7)  # extra
        # when checked
        drift = leaderboards_rebuild(fix=False)
        # then every kind of drift is reported and nothing is changed yet
        assert (len(drift.wrong), len(drift.missing), len(drift.extra)) == (2, 1, 1)
        assert XPTotal.objects.filter(points=999).count() == 2
        # when rebuilt
        leaderboards_rebuild(fix=True)
        # then the roll-ups equal the ledger again and a second check finds no drift
        assert {user.pk: totals(user) for user in (student, other_student)} == expected
        assert leaderboards_rebuild(fix=False).count == 0
        # and the rows that had not drifted were not rewritten
        rows = XPTotal.objects.filter(user=other_student).exclude(period="weekly").values_list("pk", "updated_at")
        assert set(rows) == untouched != set()

    def test_a_chunked_rebuild_finds_and_repairs_the_same_drift(self, make_user, award):
        # given five learners with awards, and drift in the roll-ups of the second and the fourth
        learners = sorted((make_user("student") for _ in range(5)), key=lambda user: user.pk)
        for learner in learners:
            award(learner, at=datetime.datetime(2026, 11, 25, 9, 0, tzinfo=IST))
        XPTotal.objects.filter(user=learners[1], period="all_time").update(points=1)
        XPTotal.objects.filter(user=learners[3], period="weekly").delete()
        # when checked one user at a time (each a separate snapshot and range of user ids)
        drift = leaderboards_rebuild(fix=False, chunk_users=1)
        # then the drift is the same as in one pass, and all of it is repaired chunk by chunk
        assert (drift.wrong_count, drift.missing_count, drift.extra_count, drift.rows_expected) == (1, 1, 0, 15)
        assert drift.count == leaderboards_rebuild(fix=False).count == 2
        assert leaderboards_rebuild(fix=True, chunk_users=2).count == 2
        assert leaderboards_rebuild(fix=False, chunk_users=1).count == 0
        assert set(XPTotal.objects.values_list("points", flat=True)) == {10}

    def test_the_report_keeps_a_bounded_sample_and_complete_counts(self, student, award, monkeypatch):
        # given six weeks of awards whose weekly roll-ups were all lost
        monkeypatch.setattr("gamification.services.DRIFT_SAMPLE", 2)
        for week in range(6):
            award(student, at=datetime.datetime(2026, 10, 5, 9, 0, tzinfo=IST) + datetime.timedelta(weeks=week))
        XPTotal.objects.filter(period="weekly").delete()
        # when checked
        drift = leaderboards_rebuild(fix=False)
        # then every missing row is counted, and only a sample of them is kept
        assert (drift.missing_count, len(drift.missing)) == (6, 2)

    def test_command_check_reports_and_fails_then_rebuild_fixes(self, student, award, capsys):
        award(student)
        XPTotal.objects.filter(period="all_time").update(points=1)
        with pytest.raises(CommandError, match="1 roll-up rows differ"):
            call_command("rebuild_leaderboards", "--check")
        assert "1 wrong" in capsys.readouterr().out
        assert XPTotal.objects.get(period="all_time").points == 1
        call_command("rebuild_leaderboards")
        assert "Fixed 1 roll-up rows" in capsys.readouterr().out
        assert XPTotal.objects.get(period="all_time").points == 10
        call_command("rebuild_leaderboards", "--check")
        assert "Roll-ups match the ledger" in capsys.readouterr().out

    def test_capped_events_make_no_rollup_rows(self, student, award):
        with override_settings(XP_FORUM_DAILY_CAP=0):
            award(student, "forum_post")
        assert not XPTotal.objects.exists()
        assert leaderboards_rebuild(fix=False).count == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
class TestConcurrency:
    def test_one_source_pays_once_under_concurrent_awards(self, student):
        # given eight requests completing the same lesson at the same moment
        lesson = baker.prepare("catalog.Lesson")
        results = returned(
            run_concurrently(lambda: xp_award(user=student, type="lesson_complete", source=lesson), times=8)
        )
        # then exactly one paid, and the roll-ups hold its points once
        assert sum(result is not None for result in results) == 1
        assert XPEvent.objects.filter(user=student).count() == 1
        assert set(totals(student).values()) == {10}
        assert UserBadge.objects.filter(user=student, badge__code="first-lesson").count() == 1

    def test_concurrent_distinct_sources_all_count_and_reach_badges(self, student):
        # given four courses already completed, then ten more awards racing (5 course completions, 5 lessons)
        for _ in range(4):
            xp_award(user=student, type="course_complete", source=baker.prepare("catalog.Course"))
        types = iter(["course_complete"] * 5 + ["lesson_complete"] * 5)
        lock = threading.Lock()

        def one():
            with lock:
                type = next(types)
            source = baker.prepare("catalog.Course" if type == "course_complete" else "catalog.Lesson")
            return xp_award(user=student, type=type, source=source)

        returned(run_concurrently(one, times=10))
        # then no increment was lost and the thresholds crossed during the race were noticed
        assert totals(student)[("all_time", ALL_TIME_START)] == 9 * 100 + 5 * 10
        assert {"five-courses", "xp-500"} <= badge_codes(student)
        assert leaderboards_rebuild(fix=False).count == 0

    def test_an_award_holds_the_user_lock_until_its_transaction_ends(self, student):
        # given an award in flight (its transaction still open)

        with transaction.atomic():
            xp_award(user=student, type="lesson_complete", source=baker.prepare("catalog.Lesson"))
            # then another session cannot take the award lock of that user
            with another_session() as other, pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute("SELECT 1 FROM accounts_user WHERE id = %s FOR NO KEY UPDATE NOWAIT", [student.pk])
        # and once it commits, it can
        with another_session() as other:
            assert other.execute(
                "SELECT 1 FROM accounts_user WHERE id = %s FOR NO KEY UPDATE NOWAIT", [student.pk]
            ).fetchall() == [(1,)]

    @override_settings(XP_FORUM_DAILY_CAP=20)
    def test_forum_cap_holds_under_concurrent_posts(self, student):
        returned(
            run_concurrently(
                lambda: xp_award(user=student, type="forum_post", source=baker.prepare("forum.Post")), times=10
            )
        )
        assert XPEvent.objects.filter(user=student).count() == 10
        assert totals(student)[("all_time", ALL_TIME_START)] == 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
class TestRebuildWhileAwarding:
    def test_a_check_neither_waits_for_an_award_in_flight_nor_counts_it(self, student, award):
        # given a committed award, and another one inserted by a transaction that has not committed yet
        award(student, at=datetime.datetime(2026, 11, 25, 9, 0, tzinfo=IST))
        with another_session() as in_flight:
            in_flight.execute(
                "INSERT INTO gamification_xpevent (id, user_id, type, points, timestamp, source_type, source_id)"
                " VALUES (%s, %s, 'lesson_complete', 10, now(), 'catalog.lesson', %s)",
                [uuid.uuid4(), student.pk, uuid.uuid4()],
            )
            # when the roll-ups are checked meanwhile, with no patience for any lock wait
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '100ms'")
            try:
                drift = leaderboards_rebuild(fix=False)
            finally:
                with connection.cursor() as cursor:
                    cursor.execute("RESET lock_timeout")
            in_flight.rollback()
        # then it finished without waiting, and saw the ledger and the roll-ups at one moment: no drift
        assert drift.count == 0
        assert drift.rows_expected == 3

    def test_awards_during_a_repair_end_with_rollups_equal_to_the_ledger(self, make_user, award):
        # given four learners with awards and every one of their roll-ups damaged
        learners = [make_user("student") for _ in range(4)]
        for learner in learners:
            for _ in range(3):
                award(learner, at=datetime.datetime(2026, 11, 25, 9, 0, tzinfo=IST))
        XPTotal.objects.filter(period="all_time").update(points=1)
        XPTotal.objects.filter(period="weekly").delete()

        def award_one(learner):
            def run():
                for _ in range(3):
                    award(learner, at=datetime.datetime(2026, 11, 26, 9, 0, tzinfo=IST))

            return run

        # when a repair (one user per chunk) runs while each learner keeps earning XP
        outcomes = returned(
            run_concurrently(lambda: leaderboards_rebuild(fix=True, chunk_users=1), *map(award_one, learners))
        )
        # then every award paid, and the roll-ups equal the ledger
        assert outcomes[0].count > 0
        assert XPEvent.objects.count() == 4 * 3 + 4 * 3
        assert leaderboards_rebuild(fix=False).count == 0
        for learner in learners:
            assert totals(learner)[("all_time", ALL_TIME_START)] == 6 * 10
