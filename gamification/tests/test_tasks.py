"""The nightly roll-up upkeep task repairs drift and says so in the logs."""

import logging

import pytest

from gamification.models import XPTotal
from gamification.tasks import leaderboards_upkeep

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


def test_upkeep_is_quiet_when_rollups_match(student, give_points, caplog):
    give_points(student, 2)
    with caplog.at_level(logging.ERROR, logger="gamification.tasks"):
        assert leaderboards_upkeep() == 0
    assert not caplog.records


def test_upkeep_repairs_and_logs_drift(student, give_points, caplog):
    # Given roll-ups someone edited by hand
    give_points(student, 2)
    XPTotal.objects.filter(user=student).update(points=999)

    # When the nightly task runs
    with caplog.at_level(logging.ERROR, logger="gamification.tasks"):
        repaired = leaderboards_upkeep()

    # Then every period's row is back to the ledger's 20 points, and the repair was logged as an error
    assert repaired == 3
    assert set(XPTotal.objects.filter(user=student).values_list("points", flat=True)) == {20}
    assert "drifted" in caplog.text
