"""bench/upkeep.py's pieces on a small ledger: damage is found by the check and removed by the repair."""

from __future__ import annotations

import pytest
from django.db.backends.signals import connection_created
from model_bakery import baker

from bench import upkeep
from gamification.models import XPTotal
from gamification.services import xp_award

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _short_timeouts_after():
    yield
    connection_created.disconnect(dispatch_uid="common.db.long_running_timeouts")


def test_damage_is_found_by_the_check_and_removed_by_the_repair(make_user):
    # Given three learners with XP (three roll-up rows each) and four of those rows damaged
    for _ in range(3):
        xp_award(user=make_user("student"), type="lesson_complete", source=baker.prepare("catalog.Lesson"))
    assert upkeep._damage(4) == 4
    assert XPTotal.objects.count() == 9 - 2

    # When the check and then the repair are measured
    check, repair, after = upkeep.measure("check"), upkeep.measure("repair"), upkeep.measure("check")

    # Then both report the drift with their time and memory, and the repair leaves none
    assert (check["drift"], repair["drift"], after["drift"]) == (4, 4, 0)
    assert check["rows_expected"] == 9
    assert check["seconds"] >= 0 and check["peak_rss_mb"] > 0
    row = {**check, "label": "check", "awards": 3, "award_median_ms": 1.0, "award_max_ms": 2.0}
    table = upkeep._table([row], events=3, rollups=9, users=3, damaged=4)
    assert "| check | " in table and "| 4 | 3 | 1.0 ms | 2.0 ms |" in table
