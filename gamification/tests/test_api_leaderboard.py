"""GET /api/leaderboard/: periods, ranks with ties, limit, domain filter, my rank, query count."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gamification.models import XPTotal
from gamification.periods import period_window
from gamification.selectors import _MY_STANDING, _my_standing, leaderboard_get

URL = "/api/leaderboard/"
IST = ZoneInfo("Asia/Kolkata")
pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


def board(body) -> list[tuple[int, str, int]]:
    # Tied rows come in user-id order; sorting by (rank, name) makes the expectation readable.
    return sorted((row["rank"], row["user"]["full_name"], row["points"]) for row in body["results"])


@pytest.fixture
def learners(make_user, give_points):
    """Five students with 50, 40, 40, 30 and 10 XP this week."""
    users = {}
    for name, lessons in [("Ann", 5), ("Bea", 4), ("Cal", 4), ("Dev", 3), ("Eva", 1)]:
        users[name] = make_user("student", full_name=name)
        give_points(users[name], lessons)
    return users


def test_anonymous_gets_the_weekly_board_with_shared_ranks(client_for, learners):
    # when anyone asks for the default (weekly) board
    response = client_for(None).get(URL)
    # then ties share a rank and the next rank skips ("1, 2, 2, 4")
    assert response.status_code == 200
    body = response.json()
    assert body["period"] == "weekly"
    assert board(body) == [(1, "Ann", 50), (2, "Bea", 40), (2, "Cal", 40), (4, "Dev", 30), (5, "Eva", 10)]
    assert body["results"][0]["user"] == {"id": str(learners["Ann"].pk), "full_name": "Ann"}
    assert body["me"] is None


def test_window_is_the_current_iso_week_in_time_zone(client_for, learners):
    with override_settings(TIME_ZONE="Asia/Kolkata"):
        body = client_for(None).get(URL, {"period": "weekly"}).json()
        now = timezone.localtime(timezone.now(), IST)
    starts_at = datetime.datetime.fromisoformat(body["starts_at"])
    ends_at = datetime.datetime.fromisoformat(body["ends_at"])
    assert starts_at.weekday() == 0 and starts_at.timetz().replace(tzinfo=None) == datetime.time(0, 0)
    assert starts_at.utcoffset() == datetime.timedelta(hours=5, minutes=30)
    assert starts_at <= now < ends_at
    assert ends_at - starts_at == datetime.timedelta(days=7)


def test_monthly_and_all_time_windows(client_for, learners):
    with override_settings(TIME_ZONE="Asia/Kolkata"):
        monthly = client_for(None).get(URL, {"period": "monthly"}).json()
        all_time = client_for(None).get(URL, {"period": "all_time"}).json()
    assert datetime.datetime.fromisoformat(monthly["starts_at"]).day == 1
    assert datetime.datetime.fromisoformat(monthly["ends_at"]).day == 1
    assert board(monthly)[0] == (1, "Ann", 50)
    assert (all_time["starts_at"], all_time["ends_at"]) == (None, None)
    assert len(all_time["results"]) == 5


@override_settings(TIME_ZONE="Asia/Kolkata")
def test_sunday_2359_counts_for_last_week_and_monday_0000_for_this_week(make_user, award):
    # given Ann scored late on Sunday and Bea exactly at Monday 00:00 in India
    ann, bea = make_user("student", full_name="Ann"), make_user("student", full_name="Bea")
    award(ann, at=datetime.datetime(2026, 11, 22, 23, 59, tzinfo=IST))
    award(bea, at=datetime.datetime(2026, 11, 23, 0, 0, tzinfo=IST))
    # when the weekly board is read on Monday morning and on Sunday night
    monday = leaderboard_get(period="weekly", limit=10, now=datetime.datetime(2026, 11, 23, 9, 0, tzinfo=IST))
    sunday = leaderboard_get(period="weekly", limit=10, now=datetime.datetime(2026, 11, 22, 23, 59, 59, tzinfo=IST))
    # then each week holds only its own points
    assert [row.user.full_name for row in monday.results] == ["Bea"]
    assert [row.user.full_name for row in sunday.results] == ["Ann"]
    assert monday.window.starts_at == datetime.datetime(2026, 11, 23, tzinfo=IST)
    # and the month (November) holds both
    month = leaderboard_get(period="monthly", limit=10, now=datetime.datetime(2026, 11, 23, 9, 0, tzinfo=IST))
    assert len(month.results) == 2


@override_settings(TIME_ZONE="Asia/Kolkata")
def test_month_window_boundaries():
    window = period_window("monthly", datetime.datetime(2026, 12, 31, 23, 59, tzinfo=IST))
    assert (window.starts_at, window.ends_at) == (
        datetime.datetime(2026, 12, 1, tzinfo=IST),
        datetime.datetime(2027, 1, 1, tzinfo=IST),
    )
    assert period_window("monthly", datetime.datetime(2027, 1, 1, tzinfo=IST)).start == datetime.date(2027, 1, 1)


def test_new_xp_shows_immediately(client_for, learners, give_points):
    give_points(learners["Eva"], 10)
    assert board(client_for(None).get(URL).json())[0] == (1, "Eva", 110)


def test_limit_default_and_clamping(client_for, make_user, give_points):
    for n in range(12):
        give_points(make_user("student", full_name=f"L{n:02}"), 1)
    assert len(client_for(None).get(URL).json()["results"]) == 10
    assert len(client_for(None).get(URL, {"limit": 3}).json()["results"]) == 3
    assert len(client_for(None).get(URL, {"limit": 5000}).json()["results"]) == 12  # clamped to 100
    assert len(client_for(None).get(URL, {"limit": 0}).json()["results"]) == 1  # clamped to 1


def test_limit_is_clamped_to_100(client_for, make_user):
    users = [make_user("student") for _ in range(101)]
    XPTotal.objects.bulk_create(
        [
            XPTotal(
                user=user,
                period="all_time",
                period_start=datetime.date(1970, 1, 1),
                points=1,
                updated_at=timezone.now(),
            )
            for user in users
        ]
    )
    results = client_for(None).get(URL, {"period": "all_time", "limit": 500}).json()["results"]
    assert len(results) == 100
    assert {row["rank"] for row in results} == {1}


@pytest.mark.parametrize(
    ("params", "field"),
    [({"period": "daily"}, "period"), ({"limit": "ten"}, "limit"), ({"domain": "no-such-domain"}, "domain")],
)
def test_bad_parameters_are_400_with_field_errors(client_for, params, field):
    response = client_for(None).get(URL, params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["errors"]


def test_domain_filter_ranks_within_the_domain(client_for, make_user, give_points, domain, other_domain):
    # given the overall leader in another domain
    give_points(make_user("student", full_name="Top", domain=other_domain), 9)
    give_points(make_user("student", full_name="Sw1", domain=domain), 3)
    give_points(make_user("student", full_name="Sw2", domain=domain), 2)
    give_points(make_user("student", full_name="NoDomain"), 5)
    # when the software board is read
    body = client_for(None).get(URL, {"domain": "software"}).json()
    # then only its learners appear, ranked among themselves
    assert board(body) == [(1, "Sw1", 30), (2, "Sw2", 20)]


def test_domain_follows_the_users_current_domain(client_for, make_user, give_points, domain, other_domain):
    mover = make_user("student", full_name="Mover", domain=domain)
    give_points(mover, 2)
    mover.domain = other_domain
    mover.save()
    assert board(client_for(None).get(URL, {"domain": "software"}).json()) == []
    assert board(client_for(None).get(URL, {"domain": "design"}).json()) == [(1, "Mover", 20)]


def test_only_active_students_compete(client_for, learners, make_user, give_points):
    give_points(make_user("instructor", full_name="Teacher"), 20)
    give_points(make_user("student", full_name="Banned", is_suspended=True), 20)
    names = [name for _, name, _ in board(client_for(None).get(URL).json())]
    assert names == ["Ann", "Bea", "Cal", "Dev", "Eva"]
    # and my rank does not count the staff or suspended users who have more points than me
    assert client_for(learners["Eva"]).get(URL).json()["me"] == {"rank": 5, "points": 10}


def test_me_outside_the_top(client_for, learners):
    # when Eva (5th) asks for the top 2
    body = client_for(learners["Eva"]).get(URL, {"limit": 2}).json()
    # then she is not in the results but sees her own rank and points
    assert [row["rank"] for row in body["results"]] == [1, 2]
    assert "Eva" not in {row["user"]["full_name"] for row in body["results"]}
    assert body["me"] == {"rank": 5, "points": 10}


def test_me_tied_shares_the_rank(client_for, learners):
    assert client_for(learners["Cal"]).get(URL).json()["me"] == {"rank": 2, "points": 40}


def test_me_without_xp_this_period(client_for, learners, other_student):
    assert client_for(other_student).get(URL).json()["me"] == {"rank": None, "points": 0}


def test_me_in_another_domain_has_points_but_no_rank(client_for, make_user, give_points, domain, other_domain):
    me = make_user("student", domain=other_domain)
    give_points(me, 2)
    give_points(make_user("student", domain=domain), 1)
    body = client_for(me).get(URL, {"domain": "software"}).json()
    assert body["me"] == {"rank": None, "points": 20}
    assert client_for(me).get(URL, {"domain": "design"}).json()["me"] == {"rank": 1, "points": 20}


@pytest.mark.parametrize("learner_count", [1, 20])
def test_query_count_is_fixed(client_for, make_user, give_points, domain, django_assert_max_num_queries, learner_count):
    users = [make_user("student", domain=domain) for _ in range(learner_count)]
    for user in users:
        give_points(user, 1)
    viewer = make_user("student", domain=domain)
    client = client_for(viewer)
    # the domain slug, the top rows (users joined), my points with the count ahead of me
    with django_assert_max_num_queries(3) as queries:
        response = client.get(URL, {"domain": "software", "limit": 100, "period": "monthly"})
    assert len(response.json()["results"]) == learner_count
    # the board reads the roll-ups only, never the ledger
    assert not any("gamification_xpevent" in query["sql"] for query in queries.captured_queries)
    # anonymous, no domain: the top rows only
    with django_assert_max_num_queries(1):
        client_for(None).get(URL, {"limit": 100})


def test_my_standing_from_sql_compiled_once_is_the_orms(make_user, give_points, learners):
    # Given students, an instructor and a suspended student with XP (both off the board), and a student without any
    instructor, suspended = make_user("instructor"), make_user("student")
    give_points(instructor, 6)
    give_points(suspended, 6)
    suspended.is_suspended = True
    suspended.save(update_fields=["is_suspended"])
    viewers = [*learners.values(), instructor, suspended, make_user("student")]
    now = timezone.now()
    for period in XPTotal.Period.values:
        window = period_window(period, now)
        for viewer in viewers:
            # When my standing is read from the precompiled SQL and from the queryset it was compiled from
            with CaptureQueriesContext(connection) as fast:
                rows = _MY_STANDING.dicts(viewer.pk, window.period, window.start, using="default", limit=1)
            with CaptureQueriesContext(connection) as orm:
                expected = list(_my_standing(viewer.pk, window.period, window.start)[:1])
            # Then both ran the same statement and read the same row
            assert rows == expected
            assert [q["sql"] for q in fast.captured_queries] == [q["sql"] for q in orm.captured_queries]
    # and the board's figures are right: Bea and Cal tie behind Ann; the two off the board are not counted ahead
    weekly = period_window(XPTotal.Period.WEEKLY, now)
    assert _MY_STANDING.dicts(learners["Cal"].pk, "weekly", weekly.start, using="default", limit=1) == [
        {"points": 40, "ahead": 1}
    ]
