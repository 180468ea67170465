"""The leaderboard from the response cache: the board is shared for up to LEADERBOARD_CACHE_SECONDS, `me` is
always the viewer's own and fresh, and every answer equals the uncached one byte for byte."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from gamification.periods import period_window
from gamification.views import LEADERBOARD_CACHE_SECONDS
from tests.support.http_cache import answered_before_drf, assert_answered_before_drf

URL = "/api/leaderboard/"
ALL_TIME = {"period": "all_time"}
pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


@pytest.fixture
def players(make_user, give_points):
    ann, bea = make_user("student", full_name="Ann"), make_user("student", full_name="Bea")
    give_points(ann, 3)
    give_points(bea, 1)
    return ann, bea


def test_each_viewer_gets_the_uncached_bytes(client_for, players, admin_user, settings, domain):
    ann, bea = players
    ann.domain = domain
    ann.save(update_fields=["domain"])
    viewers = [None, ann, bea, admin_user]
    queries = [
        {},
        {"period": "monthly"},
        {"period": "all_time", "limit": 1},
        {"domain": domain.slug},
        {"domain": domain.slug, "period": "monthly", "limit": 5},
        {"domain": "no-such-domain"},
        {"limit": "many"},
    ]
    settings.RESPONSE_CACHE = False
    uncached = [client_for(v).get(URL, q).content for v in viewers for q in queries]
    settings.RESPONSE_CACHE = True
    for _ in range(2):  # cold, then warm
        assert [client_for(v).get(URL, q).content for v in viewers for q in queries] == uncached
    assert client_for(ann).get(URL).json()["me"] == {"rank": 1, "points": 30}
    assert client_for(bea).get(URL).json()["me"] == {"rank": 2, "points": 10}


def test_standings_are_fresh_within_the_stated_window(client_for, players, give_points):
    # all time: no period boundary can fall inside the test, whatever --clock says
    _, bea = players
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert client_for(None).get(URL, ALL_TIME).json()["results"][0]["user"]["full_name"] == "Ann"
        give_points(bea, 5)
        # my own standing is never cached
        assert client_for(bea).get(URL, ALL_TIME).json()["me"] == {"rank": 1, "points": 60}
        clock.shift(datetime.timedelta(seconds=LEADERBOARD_CACHE_SECONDS - 1))
        assert (
            client_for(None).get(URL, ALL_TIME).json()["results"][0]["user"]["full_name"] == "Ann"
        )  # within the window
        clock.shift(datetime.timedelta(seconds=2))
        assert client_for(None).get(URL, ALL_TIME).json()["results"][0]["user"]["full_name"] == "Bea"


def test_warm_query_counts(client_for, players, django_assert_num_queries):
    ann, _ = players
    client_for(None).get(URL)
    with django_assert_num_queries(0):
        client_for(None).get(URL)
    with django_assert_num_queries(1):  # my points with the count ahead of me
        assert client_for(ann).get(URL).json()["me"]["rank"] == 1


def test_etag_and_304(client_for, players):
    first = client_for(None).get(URL)
    again = client_for(None).get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert "public" in first["Cache-Control"]


def test_a_new_week_starts_a_new_board_at_once(client_for, players):
    # Given this week's board cached one second before the week ends (Sunday 23:59:59 in TIME_ZONE)
    week_end = period_window("weekly", timezone.now()).ends_at - datetime.timedelta(seconds=1)
    with time_machine.travel(week_end, tick=False) as clock:
        before = client_for(None).get(URL).json()
        assert before["results"]
        # When the new week has started
        clock.shift(datetime.timedelta(seconds=2))
        after = client_for(None).get(URL).json()
    # Then the new week's (empty) board is served, not the cached one
    assert after["starts_at"] == before["ends_at"]
    assert after["results"] == []


@pytest.mark.parametrize("query", ["", "?period=monthly", "?period=all_time&limit=1", "?period=weekly&limit=5"])
def test_anonymous_boards_are_answered_before_drf(query, players, settings, cache_calls, django_assert_num_queries):
    assert_answered_before_drf(
        f"{URL}{query}", settings=settings, cache_calls=cache_calls, django_assert_num_queries=django_assert_num_queries
    )


def test_a_new_week_is_not_answered_from_last_weeks_board_before_drf(players, cache_calls):
    # Given this week's board answered before DRF one second before the week ends
    week_end = period_window("weekly", timezone.now()).ends_at - datetime.timedelta(seconds=1)
    with time_machine.travel(week_end, tick=False) as clock:
        before = Client().get(URL).json()
        assert answered_before_drf(cache_calls, lambda: Client().get(URL))[1]
        # When the new week has started
        clock.shift(datetime.timedelta(seconds=2))
        after, early = answered_before_drf(cache_calls, lambda: Client().get(URL))
    # Then the view answers with the new week's (empty) board
    assert not early
    assert after.json()["starts_at"] == before["ends_at"]
    assert after.json()["results"] == []


def test_a_signed_in_viewer_gets_their_own_me(players, cache_calls):
    ann, _ = players
    Client().get(URL)
    Client().get(URL)
    client = Client()
    client.force_login(ann)
    assert client.get(URL).json()["me"] == {"rank": 1, "points": 30}
    assert Client().get(URL).json()["me"] is None
