"""Fixtures shared by every app's tests: API clients and users of each role; the ``--clock`` option."""

from __future__ import annotations

import contextlib
import datetime
import importlib
from collections.abc import Callable

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from model_bakery import baker
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters and cached reads must not leak between tests.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _redis_tests_run_on_one_worker(request):
    # They share one Redis database and clear it: under pytest-xdist's loadgroup they must carry the group
    # (pytest_collection_modifyitems below), or two workers would wipe each other's keys mid-test.
    if "redis" in request.keywords and getattr(request.config.option, "loadgroup", False):
        assert request.node.nodeid.endswith("@redis"), f"{request.node.nodeid} is not in the redis xdist group"


# Every operation of Django's cache API that reaches the cache server (one round trip each, on Redis).
CACHE_OPERATIONS = (
    "get",
    "get_many",
    "set",
    "set_many",
    "add",
    "get_or_set",
    "delete",
    "delete_many",
    "incr",
    "decr",
    "touch",
    "has_key",
    "clear",
)


@pytest.fixture
def cache_calls(monkeypatch) -> list[tuple[str, object]]:
    """The calls made to the default cache from here on, in order: ``(operation, first argument)``.

    Only the outermost: the local-memory backend's ``get_many`` calls its own ``get`` once per key, where
    Redis answers one ``MGET``."""
    from django.core.cache import caches

    backend = caches["default"]
    calls: list[tuple[str, object]] = []
    depth = [0]
    for name in CACHE_OPERATIONS:
        method = getattr(backend, name)

        def spy(*args, _name=name, _method=method, **kwargs):
            if depth[0] == 0:
                calls.append((_name, args[0] if args else None))
            depth[0] += 1
            try:
                return _method(*args, **kwargs)
            finally:
                depth[0] -= 1

        monkeypatch.setattr(backend, name, spy)
    return calls


def _uses_database(request: pytest.FixtureRequest) -> bool:
    names = set(request.fixturenames)
    return request.node.get_closest_marker("django_db") is not None or bool(
        names & {"db", "transactional_db", "live_server"}
    )


@pytest.fixture(autouse=True)
def _migrated_reference_data(request: pytest.FixtureRequest):
    """Every database test starts with the rows data migrations load (the badge catalogue).

    A transactional test (threads, live server) ends by flushing every table, migration-loaded rows
    included, so without this the tests after it would depend on the order the suite runs in.
    """
    if _uses_database(request):
        request.getfixturevalue("django_db_setup")
        from django.apps import apps

        from gamification.models import Badge

        with request.getfixturevalue("django_db_blocker").unblock():
            if not Badge.objects.exists():
                importlib.import_module("gamification.migrations.0002_seed_badges").seed(apps, None)
                importlib.import_module("gamification.migrations.0006_streak_badges").seed(apps, None)
    yield


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def make_user(db):
    def make(role: str = "student", **kwargs):
        user = baker.make("accounts.User", role=role, **kwargs)
        user.set_password("correct-horse-battery")
        user.save()
        return user

    return make


@pytest.fixture
def student(make_user):
    return make_user("student", full_name="Asha Student")


@pytest.fixture
def other_student(make_user):
    return make_user("student", full_name="Ravi Student")


@pytest.fixture
def instructor(make_user):
    return make_user("instructor", full_name="Meera Instructor")


@pytest.fixture
def other_instructor(make_user):
    return make_user("instructor", full_name="Karan Instructor")


@pytest.fixture
def admin_user(make_user):
    return make_user("admin", full_name="Anil Admin")


@pytest.fixture
def client_for():
    """``client_for(user)`` gives an APIClient authenticated as ``user`` (``None`` for anonymous)."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        default=None,
        metavar="ISO_DATETIME",
        help=(
            "Run the session as if the wall clock read this moment (ISO 8601 with an offset, e.g. "
            "2026-11-30T00:05+05:30); time keeps ticking from there. `make test-clocks` runs the "
            "`calendar` tests under several such clocks."
        ),
    )


def _clock_option(value: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError as error:
        raise pytest.UsageError(f"--clock={value!r} is not an ISO 8601 datetime: {error}") from None
    if moment.tzinfo is None:
        raise pytest.UsageError(f"--clock={value!r} needs a UTC offset (e.g. +05:30): a naive time is ambiguous.")
    return moment


# Where a `calendar` test runs without --clock: an ordinary moment (a Wednesday mid-month, midday in IST),
# so no test reads the wall clock where a calendar matters. `make test-clocks` tries the awkward ones.
DEFAULT_CALENDAR_CLOCK = "2026-06-17T12:00+05:30"


def clock_moment(config, node=None) -> datetime.datetime | None:
    """Where ``node`` runs: ``--clock``; else DEFAULT_CALENDAR_CLOCK for a ``calendar`` test; else the wall clock."""
    value = config.getoption("--clock")
    if not value and node is not None and node.get_closest_marker("calendar"):
        value = DEFAULT_CALENDAR_CLOCK
    return _clock_option(value) if value else None


def clock_travel(config, node=None) -> contextlib.AbstractContextManager:
    moment = clock_moment(config, node)
    return time_machine.travel(moment, tick=True) if moment else contextlib.nullcontext()


def pytest_configure(config):
    if config.getoption("--clock"):
        # Session-wide, so session-scoped fixtures run near the clock too (a bad value fails here).
        traveller = clock_travel(config)
        traveller.start()
        config._clock_traveller = traveller


def pytest_unconfigure(config):
    traveller = getattr(config, "_clock_traveller", None)
    if traveller is not None:
        traveller.stop()


@pytest.fixture(scope="session")
def clock(pytestconfig) -> Callable[..., contextlib.AbstractContextManager]:
    """``with clock(request.node):`` for fixtures broader than one test (a module's shared data)."""
    return lambda node: clock_travel(pytestconfig, node)


@pytest.fixture
def test_started_at(request) -> datetime.datetime | None:
    """The moment this test's clock started at (None: the wall clock)."""
    return clock_moment(request.config, request.node)


@pytest.fixture(autouse=True)
def _clock(request):
    # Every test starts at its clock, whatever ran before it: a run at 23:59 stays on that day.
    with clock_travel(request.config, request.node):
        yield


@pytest.fixture(autouse=True)
def _rate_limit_windows_begin_with_the_test(request, _clock, monkeypatch):
    """Rate-limit windows (django-ratelimit's and ``attempt_begin``'s) start when the test starts.

    Fixed windows end at wall-clock edges, so a test that makes its N + 1st request just after one would
    see the count restart and fail by chance (about one run in 30 for a test of 2 s under a 1-minute
    limit). Anchored at the test's start, a test shorter than the period stays in one window, and a test
    that moves its clock a period on still reaches the next one. Tests of the real edges are marked
    ``wall_clock_windows``.
    """
    if request.node.get_closest_marker("wall_clock_windows"):
        return
    import time

    import django_ratelimit.core

    from common import ratelimit

    start = int(time.time())

    def window_end(*, period: int, now: float) -> int:
        return start + ((int(now) - start) // period + 1) * period

    monkeypatch.setattr(ratelimit, "attempt_window_end", window_end)
    monkeypatch.setattr(
        django_ratelimit.core, "_get_window", lambda value, period: window_end(period=period, now=time.time())
    )


def pytest_report_header(config):
    value = config.getoption("--clock")
    return f"clock: {value} (time-machine, ticking)" if value else None


# First, before pytest-xdist's own hook (which reads the xdist_group marks to send a group to one worker): a mark
# added after it would group nothing, and the Redis tests would clear each other's database from two workers.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    for item in items:
        if "redis" in item.keywords:
            # One Redis database (REDIS_TEST_URL) serves the whole run and clearing a cache empties it, so
            # under pytest-xdist (make test) the tests that use it run one after another on one worker.
            item.add_marker(pytest.mark.xdist_group("redis"))
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
