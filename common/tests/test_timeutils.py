"""common.timeutils: the one module for local days, weeks and months."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings

from common.timeutils import (
    local_date,
    local_day_bounds,
    local_day_start,
    local_midnight,
    local_today,
    local_zone,
    month_start,
    next_month_start,
    week_start,
)
from tests.support.apps import DOMAIN_APPS

pytestmark = pytest.mark.calendar
UTC = datetime.UTC
D = datetime.date


def test_a_moment_falls_on_its_local_day_not_its_utc_day(settings):
    # Given the academy in India and 00:01 IST on 30 November, still 29 November in UTC
    settings.TIME_ZONE = "Asia/Kolkata"
    moment = datetime.datetime(2026, 11, 29, 18, 31, tzinfo=UTC)

    # Then the day, its start and its end are India's
    assert local_date(moment) == datetime.date(2026, 11, 30)
    start, end = local_day_bounds(moment)
    assert start == local_day_start(moment) == local_midnight(datetime.date(2026, 11, 30))
    assert start == datetime.datetime(2026, 11, 29, 18, 30, tzinfo=UTC)
    assert end - start == datetime.timedelta(days=1)
    with time_machine.travel(moment, tick=False):
        assert local_today() == datetime.date(2026, 11, 30)


def test_day_bounds_follow_a_dst_change(settings):
    # Given a zone that springs forward on 8 March 2026 (the day is 23 hours long)
    settings.TIME_ZONE = "America/New_York"
    moment = datetime.datetime(2026, 3, 8, 15, 0, tzinfo=UTC)

    start, end = local_day_bounds(moment)

    # Then both ends are local midnights at their own offsets
    assert start == datetime.datetime(2026, 3, 8, 5, 0, tzinfo=UTC)  # -05:00
    assert end == datetime.datetime(2026, 3, 9, 4, 0, tzinfo=UTC)  # -04:00
    # (aware datetimes in one zone subtract as wall clocks: compare in UTC)
    assert end.astimezone(UTC) - start.astimezone(UTC) == datetime.timedelta(hours=23)
    assert str(local_zone()) == "America/New_York"


@pytest.mark.parametrize(
    ("day", "monday", "first", "next_first"),
    [
        (D(2026, 11, 30), D(2026, 11, 30), D(2026, 11, 1), D(2026, 12, 1)),
        (D(2026, 12, 31), D(2026, 12, 28), D(2026, 12, 1), D(2027, 1, 1)),
        (D(2027, 1, 3), D(2026, 12, 28), D(2027, 1, 1), D(2027, 2, 1)),
        (D(2028, 1, 31), D(2028, 1, 31), D(2028, 1, 1), D(2028, 2, 1)),
    ],
)
def test_weeks_start_on_monday_and_months_on_the_first(day, monday, first, next_first):
    assert (week_start(day), month_start(day), next_month_start(day)) == (monday, first, next_first)


# Calls that compute a local day by hand. Outside common/timeutils.py they mean a second calendar.
BY_HAND = re.compile(r"get_default_timezone\(|get_current_timezone\(|localdate\(|time\.min\b|def local_day")
APPS = ("common", *DOMAIN_APPS)


def test_no_app_counts_local_days_by_hand():
    base = Path(settings.BASE_DIR)
    offenders = [
        f"{path.relative_to(base)}:{number}"
        for app in APPS
        for path in sorted((base / app).rglob("*.py"))
        if not {"tests", "migrations"} & set(path.relative_to(base).parts) and path.name != "timeutils.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if BY_HAND.search(line)
    ]
    assert offenders == []
