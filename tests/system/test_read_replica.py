"""A real PostgreSQL streaming replica (initdb + pg_basebackup, scripts/pg_cluster.py) behind the router:
lag-tolerant reads land on the replica (its own statistics say so), writes and read-your-writes on the primary."""

from __future__ import annotations

import time

import psycopg
import pytest
import requests

from scripts.pg_cluster import streaming_cluster
from tests.system import harness

pytestmark = pytest.mark.system

DATABASE = "dca_replicated"


def table_reads(url: str, tables: tuple[str, ...]) -> dict[str, int]:
    """Scans (sequential + index) per table as this server's cumulative statistics count them."""
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT relname, coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables"
            " WHERE relname = ANY(%s)",
            [list(tables)],
        ).fetchall()
    return {table: dict(rows).get(table, 0) for table in tables}


def reads_after(url: str, tables: tuple[str, ...], before: dict[str, int], *, settle: float = 3) -> dict[str, int]:
    # Each request's connection closes with it (CONN_MAX_AGE=0), and a closing backend flushes its statistics;
    # poll briefly for that flush instead of trusting a fixed sleep.
    deadline = time.monotonic() + settle
    while True:
        now = table_reads(url, tables)
        grown = {table: now[table] - before[table] for table in tables}
        if all(grown.values()) or time.monotonic() > deadline:
            return grown
        time.sleep(0.2)


def test_lag_tolerant_reads_go_to_the_replica_and_a_learner_reads_their_own_writes_from_the_primary():
    logs = harness.log_dir("replica")
    with streaming_cluster() as cluster:
        with psycopg.connect(cluster.primary_url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        primary_url, replica_url = cluster.primary_url(DATABASE), cluster.replica_url(DATABASE)
        harness.flush_redis(10)
        # Given a web process whose reads may use the replica, connections closed after each request
        env = harness.production_env(
            database_url=primary_url,
            redis_db=10,
            media_root=str(logs / "media"),
            DATABASE_REPLICA_URLS=replica_url,
            CONN_MAX_AGE="0",
            STAFF_MFA_REQUIRED="false",
            ADMIN_STATS_CACHE_SECONDS="0",
        )
        harness.prepare(env)
        world = harness.run_python(env, "from tests.system.world import build_and_print\nbuild_and_print()")
        cluster.wait_replayed()

        with harness.gunicorn(env, logs, workers=1, threads=2) as server:
            student = harness.auth(harness.login(server, world["students"][0]))
            admin = harness.auth(harness.login(server, world["admin"]))

            # When anyone browses the catalogue and the leaderboard, and an admin reads stats and a report
            lag_tolerant = ("catalog_course", "gamification_xptotal", "accounts_user")
            before = table_reads(replica_url, lag_tolerant)
            catalogue = requests.get(f"{server}/api/courses/", timeout=10)
            board = requests.get(f"{server}/api/leaderboard/?period=all_time", timeout=10)
            stats = requests.get(f"{server}/api/admin/stats/", headers=admin, timeout=10)
            report = requests.get(f"{server}/api/admin/reports/users/", headers=admin, timeout=30)
            on_replica = reads_after(replica_url, lag_tolerant, before)

            # And a learner enrolls and at once reads their enrollments and the course's curriculum
            own = ("catalog_enrollment",)
            before_primary, before_replica = table_reads(primary_url, own), table_reads(replica_url, own)
            enroll = f"{server}/api/courses/{world['other_course']}/enroll/"
            enrolled = requests.post(enroll, headers=student, timeout=10)
            mine = requests.get(f"{server}/api/enrollments/", headers=student, timeout=10)
            enrollment_reads_primary = reads_after(primary_url, own, before_primary)
            enrollment_reads_replica = table_reads(replica_url, own)

    # Then the lag-tolerant reads ran on the replica (its statistics counted them)
    assert catalogue.status_code == 200 and catalogue.json()["count"] >= 2
    assert board.status_code == 200 and stats.status_code == 200, stats.text
    assert report.status_code == 200 and report.text.count("\n") >= 2, report.text
    assert all(on_replica.values()), on_replica
    # And the learner's write and the reads that must see it ran on the primary only
    assert enrolled.status_code == 201, enrolled.text
    assert world["other_course"] in {row["course"]["id"] for row in mine.json()["results"]}
    assert enrollment_reads_primary["catalog_enrollment"] > 0
    assert enrollment_reads_replica == before_replica
