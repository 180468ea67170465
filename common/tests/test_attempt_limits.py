"""``attempt_begin``: attempts counted up front, successes given back, fixed windows, on the shared cache."""

from __future__ import annotations

import os

import pytest
import time_machine

from common.exceptions import RateLimitedError
from common.ratelimit import attempt_begin, parse_rate

# These tests check the windows' real edges (elsewhere windows start with the test: see conftest.py).
pytestmark = pytest.mark.wall_clock_windows

WINDOW_START = 1_800_000_000  # a multiple of 300: a fresh 5-minute window begins here


@pytest.fixture(params=["locmem", pytest.param("redis", marks=pytest.mark.redis)])
def attempts_cache(request, settings):
    if request.param == "redis":
        url = os.environ.get("REDIS_TEST_URL")
        if not url:
            pytest.skip("needs Redis (set REDIS_TEST_URL)")
        backend = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url, "KEY_PREFIX": "dca-test-attempts"}
    else:
        backend = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "attempts"}
    settings.CACHES = {**settings.CACHES, "attempts": backend}
    settings.RATELIMIT_USE_CACHE = "attempts"
    from django.core.cache import caches

    caches["attempts"].clear()
    yield caches["attempts"]
    caches["attempts"].clear()


def _begin(key: str = "email:a@example.com"):
    return attempt_begin(group="test.login", key=key, rate="3/5m")


def test_parse_rate():
    assert parse_rate("10/m") == (10, 60)
    assert parse_rate("10/5m") == (10, 300)
    assert parse_rate("3/h") == (3, 3600)
    with pytest.raises(ValueError):
        parse_rate("10 per minute")


def test_failures_add_up_until_the_limit_then_the_window_ends(attempts_cache):
    with time_machine.travel(WINDOW_START + 10, tick=False) as traveller:
        # Given three attempts that failed (never given back)
        for _ in range(3):
            _begin()

        # When a fourth comes 50 s into the window
        traveller.shift(40)
        with pytest.raises(RateLimitedError) as refused:
            _begin()

        # Then it is refused until the window ends, and other keys are not affected
        assert refused.value.retry_after == 250
        _begin(key="email:b@example.com")

        # And once the window has passed, attempts are allowed again
        traveller.shift(251)
        _begin()


def test_successes_give_their_slot_back(attempts_cache):
    with time_machine.travel(WINDOW_START + 10, tick=False):
        for _ in range(10):
            _begin().succeeded()
        for _ in range(3):
            _begin()
        with pytest.raises(RateLimitedError):
            _begin()


def test_attempts_in_flight_count_before_they_finish(attempts_cache):
    with time_machine.travel(WINDOW_START + 10, tick=False):
        in_flight = [_begin() for _ in range(3)]  # not finished: neither failed nor succeeded yet
        with pytest.raises(RateLimitedError):
            _begin()
        in_flight[0].succeeded()
        _begin()


def test_limits_off_count_nothing(attempts_cache, settings):
    settings.RATELIMIT_ENABLE = False
    for _ in range(10):
        _begin()
