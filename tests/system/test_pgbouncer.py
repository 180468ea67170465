"""Behind PgBouncer in transaction-pooling mode (started by scripts/pg_cluster.py from Debian's package): the
end-to-end journeys and the concurrency tests pass with every connection going through the pooler, fewer
server connections than clients, and the deadlines set by the pool instead of the session."""

from __future__ import annotations

import os
import sys

import psycopg
import pytest

from scripts.pg_cluster import pgbouncer, pgbouncer_transactions, pool, streaming_cluster
from tests.system import harness

pytestmark = pytest.mark.system

DATABASE = "dca_pooled"
# The journeys, and every test that races threads (each with its own connection) on row locks and constraints.
SUITES = [
    "tests/e2e",
    "billing/tests/test_concurrency.py",
    "assessments/tests/test_concurrency.py",
    "forum/tests/test_concurrency.py",
    "accounts/tests/test_services_concurrency.py",
    "common/tests/test_db_router.py",
]


def test_journeys_and_concurrency_tests_pass_through_pgbouncer_in_transaction_mode():
    with streaming_cluster(replica=False) as cluster:
        # Given PgBouncer (transaction pooling, 4 server connections per database) in front of PostgreSQL, its
        # pools setting the web deadlines; "*" also pools the test database pytest creates
        pools = {"*": pool(port=cluster.primary_port, deadlines_ms=(15000, 5000))}
        with pgbouncer(databases=pools, pool_size=4) as port:
            url = f"postgres://postgres@{harness.LOOPBACK}:{port}/{DATABASE}"
            with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
                deadline = conn.execute("SHOW statement_timeout").fetchone()[0]
            env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "COV_", "DJANGO_"))}
            env.pop("REDIS_TEST_URL", None)
            env.update(DATABASE_URL=url, DATABASE_TRANSACTION_POOLING="true")

            # When the journeys and the concurrency tests run with the app's pooling settings
            pytest_argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--create-db", *SUITES]
            result = harness.run_tool(pytest_argv, env, timeout=900)
            passed_through = pgbouncer_transactions(port)

    # Then they pass, every transaction went through PgBouncer, and the pool's deadline applied
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert " passed" in result.stdout and " failed" not in result.stdout
    assert passed_through.get(f"test_{DATABASE}", 0) > 100, passed_through
    assert deadline == "15s"
