"""An unreachable or stalled database answers 503 `database_unavailable` with Retry-After, never a 500;
a bug in SQL still is a 500. Statements and lock waits have deadlines."""

from __future__ import annotations

import sqlite3
import time

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError, close_old_connections, connection, connections
from rest_framework.test import APIClient

from common.db import database_unavailable, statement_timeout, use_long_running_timeouts
from tests.support.concurrency import another_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> APIClient:
    # Errors become responses as in production instead of being re-raised into the test.
    return APIClient(raise_request_exception=False)


def assert_database_unavailable(response) -> dict:
    assert response.status_code == 503, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response["Retry-After"] == str(settings.DATABASE_RETRY_AFTER_SECONDS)
    assert "no-store" in response["Cache-Control"].replace(" ", "").split(",")
    body = response.json()
    assert body["code"] == "database_unavailable"
    assert set(body) == {"detail", "code"}
    return body


def test_a_drf_route_answers_503_when_the_database_refuses_connections(client, database_outage):
    # Given a database server that refuses connections (database_outage)
    # When a learner browses the catalogue
    response = client.get("/api/courses/")

    # Then the API says the database is unavailable, in the error shape, with a time to retry
    body = assert_database_unavailable(response)
    assert body["detail"] == "The database is unavailable. Try again shortly."


def test_a_route_outside_drf_answers_503_when_the_database_refuses_connections(client, database_outage):
    # When someone signs in through allauth (a plain Django view behind the project's middleware)
    response = client.post(
        "/_allauth/app/v1/auth/login", {"email": "asha@example.com", "password": "whatever-1234"}, format="json"
    )

    # Then it is the same 503, not allauth's or Django's 500
    assert_database_unavailable(response)


def test_a_non_api_page_answers_a_plain_503_when_the_database_refuses_connections(client, database_outage):
    # Given a staff member's session cookie (the session is read from the database)
    client.cookies[settings.SESSION_COOKIE_NAME] = "a" * 32

    # When the admin site is opened
    response = client.get("/admin/")

    # Then the answer is a plain-text 503, not the HTML 500 page

    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.DATABASE_RETRY_AFTER_SECONDS)
    assert b"database is unavailable" in response.content


def test_a_bug_in_sql_is_still_a_500(client):
    # Given a query against a table that does not exist (a programming error, not an outage)
    def broken(execute, sql, params, many, context):
        return execute("SELECT * FROM no_such_table_anywhere", None, many, context)

    with connection.execute_wrapper(broken):
        response = client.get("/api/courses/")

    # Then it stays a server error, so bugs are never mistaken for a dependency being down
    assert response.status_code == 500
    assert response.json() == {"detail": "A server error occurred.", "code": "server_error"}
    assert "Retry-After" not in response


def test_the_classifier_separates_outages_from_bugs(closed_port):
    try:
        with connection.wrap_database_errors:
            if connection.vendor == "postgresql":
                psycopg.connect(host="127.0.0.1", port=closed_port, dbname="x", connect_timeout=2)
            else:
                sqlite3.connect("file:/nonexistent-dir/db.sqlite3?mode=ro", uri=True)
    except OperationalError as exc:
        refused = exc
    assert database_unavailable(refused)
    assert not database_unavailable(ValueError("not a database error"))


def wrapped(driver_error: Exception) -> OperationalError:
    """The driver's error as Django raises it (``raise OperationalError(...) from driver_error``)."""
    try:
        raise OperationalError(str(driver_error)) from driver_error
    except OperationalError as exc:
        return exc


@pytest.mark.parametrize(
    ("driver_error", "unavailable"),
    [
        (psycopg.errors.QueryCanceled("canceling statement due to statement timeout"), True),
        (psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"), True),
        (psycopg.errors.AdminShutdown("terminating connection due to administrator command"), True),
        (psycopg.errors.TooManyConnections("too many clients already"), True),
        (psycopg.errors.DeadlockDetected("deadlock detected"), True),
        (psycopg.OperationalError("connection is lost"), True),
        (psycopg.errors.StatementTooComplex("stack depth limit exceeded"), False),
        (sqlite3.OperationalError("database is locked"), True),
        (sqlite3.OperationalError("no such table: catalog_course"), False),
    ],
)
def test_driver_errors_are_classified_by_what_a_retry_can_fix(driver_error, unavailable):
    assert database_unavailable(wrapped(driver_error)) is unavailable


@pytest.mark.postgres
@pytest.mark.parametrize("deadline", ["lock_timeout", "statement_timeout"])
def test_a_request_blocked_on_a_lock_fails_fast_with_503(client, deadline):
    # Given another session holding an exclusive lock on the courses table (a long migration, a stuck job)
    locker = another_session()
    try:
        locker.execute("SET lock_timeout = '5s'")
        locker.execute("LOCK TABLE catalog_course IN ACCESS EXCLUSIVE MODE")
        # and this web process's deadline shortened (production: DATABASE_LOCK_TIMEOUT_MS / _STATEMENT_TIMEOUT_MS)
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', '0', false)")
            cursor.execute(f"SELECT set_config('{deadline}', '300', false)")

        # When a learner browses the catalogue
        started = time.monotonic()
        response = client.get("/api/courses/")
        elapsed = time.monotonic() - started
    finally:
        locker.rollback()
        locker.close()

    # Then the request gives up at its deadline with a 503 in the error shape instead of hanging
    body = assert_database_unavailable(response)
    assert body["detail"] == "The database did not answer in time. Try again shortly."
    assert elapsed < 3


@pytest.mark.postgres
def test_every_connection_starts_with_the_configured_deadlines():
    # Given the settings' DATABASES OPTIONS (DATABASE_STATEMENT_TIMEOUT_MS / DATABASE_LOCK_TIMEOUT_MS)
    options = settings.DATABASES["default"]["OPTIONS"]["options"]
    fresh = connections.create_connection("default")
    try:
        # When a new connection is opened
        with fresh.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('statement_timeout'), current_setting('lock_timeout'),"
                " (SELECT setting FROM pg_settings WHERE name = 'statement_timeout'),"
                " (SELECT setting FROM pg_settings WHERE name = 'lock_timeout')"
            )
            _, _, statement_ms, lock_ms = cursor.fetchone()
    finally:
        fresh.close()

    # Then its session has them
    assert f"-c statement_timeout={statement_ms}" in options
    assert f"-c lock_timeout={lock_ms}" in options
    assert int(statement_ms) > 0 and int(lock_ms) > 0


@pytest.mark.postgres
def test_long_running_processes_get_the_long_deadlines():
    from django.db.backends.signals import connection_created

    # Given a worker or management command process
    use_long_running_timeouts()
    fresh = connections.create_connection("default")
    try:
        with fresh.cursor() as cursor:
            cursor.execute(
                "SELECT setting FROM pg_settings WHERE name IN ('lock_timeout', 'statement_timeout') ORDER BY name"
            )
            lock_ms, statement_ms = (int(row[0]) for row in cursor.fetchall())
    finally:
        fresh.close()
        connection_created.disconnect(dispatch_uid="common.db.long_running_timeouts")

    # Then its connections get DATABASE_LONG_*_TIMEOUT_MS
    assert statement_ms == settings.DATABASE_LONG_STATEMENT_TIMEOUT_MS
    assert lock_ms == settings.DATABASE_LONG_LOCK_TIMEOUT_MS


@pytest.mark.postgres
def test_statement_timeout_bounds_one_block_and_ends_with_it():
    # When a block of work runs with a 100 ms deadline and takes longer
    started = time.monotonic()
    with pytest.raises(OperationalError) as raised, statement_timeout(statement_ms=100), connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(2)")

    # Then it is cancelled at the deadline, as a database-unavailable error (answered with 503)
    assert time.monotonic() - started < 1.5
    assert database_unavailable(raised.value)

    # And the connection's own deadline is back once the block is over (SET LOCAL)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setting FROM pg_settings WHERE name = 'statement_timeout'")
        assert f"-c statement_timeout={cursor.fetchone()[0]}" in settings.DATABASES["default"]["OPTIONS"]["options"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_dropped_costs_one_503_and_is_then_replaced(client):
    # Given no per-request `SELECT 1` health check (DATABASE_CONN_HEALTH_CHECKS off, the default) and a
    # persistent connection that the server has since terminated (a restart, a failover)
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is False
    connection.ensure_connection()
    backend_pid = connection.connection.info.backend_pid
    with another_session(autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [backend_pid])

    # When a request runs its first query on that connection
    first = client.get("/api/courses/")
    # and the request ends (the handler's close_old_connections, which the test client leaves out)
    close_old_connections()

    # Then that request is a retryable 503, and the next one gets a fresh connection and succeeds
    assert_database_unavailable(first)
    assert connection.connection is None
    assert client.get("/api/courses/").status_code == 200
