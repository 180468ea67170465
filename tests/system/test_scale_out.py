"""Two gunicorn servers and two Celery workers on one PostgreSQL and one Redis: nothing is done twice."""

from __future__ import annotations

import pytest

from scripts import scale_out

pytestmark = pytest.mark.system


def test_concurrent_purchases_progress_and_votes_through_two_servers_stay_exactly_once():
    # Given two app servers and two workers sharing the database and Redis, and six learners
    # When each learner buys a course, learns a free one to completion and votes, every request sent to both
    # servers at once, and then five more do the same through a PostgreSQL restart, a Redis kill, a killed PDF
    # worker, a killed web process and a locked hot table
    checks = scale_out.run(students=6, timeout=300)

    # Then every enrollment, payment, certificate, XP award and vote exists exactly once, the workers rendered
    # every certificate, and both servers' leaderboards equal the XP ledger
    assert scale_out.problems(checks) == []
    assert len(checks["ledger"]) >= 6
    # And the lag-tolerant reads (catalogue, leaderboards) really went to the replica
    assert checks["replica_share_of_reads"] > 0
