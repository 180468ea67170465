"""The test clock: `calendar` tests never run on the wall clock; `--clock` moves every test."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone


@pytest.mark.calendar
def test_a_calendar_test_starts_at_its_fixed_clock_and_time_ticks(test_started_at):
    # Given a calendar test (at DEFAULT_CALENDAR_CLOCK, or at --clock when given)
    assert test_started_at is not None

    # Then every clock the code reads agrees with it, and time moves forward from there
    first = timezone.now()
    assert test_started_at <= first < test_started_at + datetime.timedelta(minutes=1)
    assert datetime.datetime.now(datetime.UTC) >= first


def test_other_tests_read_the_wall_clock_unless_a_clock_is_given(test_started_at, pytestconfig):
    if pytestconfig.getoption("--clock"):
        assert test_started_at is not None
        assert test_started_at <= timezone.now() < test_started_at + datetime.timedelta(minutes=1)
    else:
        assert test_started_at is None
