"""The demo is alive whenever it is loaded: at the awkward edges of days, weeks, months and years.

Each test loads the demo into an empty database (a few seconds each), under its own clock.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine

from seed.tests.test_seed_demo import _seed, assert_alive

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


@pytest.mark.parametrize(
    "clock",
    [
        "2026-11-30T00:01+05:30",  # Monday, a minute into the week (the reported failure was at 04:40)
        "2027-09-01T00:01+05:30",  # a Wednesday the 1st: the month starts inside the week
        "2028-02-29T23:59+05:30",  # a leap day, the last minute of the day
    ],
)
def test_seed_demo_is_alive_at_the_edges_of_the_calendar(clock, settings):
    # Given a clock where today (and maybe the week or the month) started a minute ago, or ends in a minute
    settings.DEBUG = True
    with time_machine.travel(datetime.datetime.fromisoformat(clock), tick=False):
        # When the demo is loaded
        _seed()

        # Then the demo student and the active learners earned XP today, and the boards show it
        assert_alive()
