"""Database deadlines and telling an unavailable database apart from a bug.

Every PostgreSQL connection starts with ``statement_timeout`` and ``lock_timeout`` (settings.DATABASES
OPTIONS), short enough that a stalled database answers a web request with a 503 instead of holding its
thread. Celery workers and management commands do long work by design (reports, upkeep, migrations):
``use_long_running_timeouts()`` gives every connection of such a process the long deadlines, and
``statement_timeout()`` widens (or narrows) them for one block of work in any process.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections, transaction
from django.db.backends.signals import connection_created

try:
    import psycopg
except ImportError:  # pragma: no cover - psycopg is a run-time requirement; SQLite-only checkouts still import
    psycopg = None

# SQLSTATE classes that mean "the database cannot serve this now", not "this request is wrong":
# 08 connection exception, 53 insufficient resources (too many connections, disk full),
# 57 operator intervention (query_canceled by statement_timeout, admin shutdown, cannot connect now),
# 58 system error (I/O). Plus single states: 55P03 lock_not_available (lock_timeout), 40P01 deadlock_detected
# and 40001 serialization_failure (the transaction was rolled back; a retry succeeds). Class 54 (program limit
# exceeded: a statement too complex) is left out on purpose: retrying cannot help, it is a bug.
_UNAVAILABLE_SQLSTATE_CLASSES = ("08", "53", "57", "58")
_UNAVAILABLE_SQLSTATES = ("55P03", "40P01", "40001")
_TIMEOUT_SQLSTATES = ("57014", "55P03")
# SQLite reports its transient states only in the message.
_SQLITE_UNAVAILABLE_MESSAGES = ("database is locked", "unable to open database file", "disk i/o error")


def _driver_error(exc: BaseException) -> BaseException:
    """The DB-API error Django wrapped (``raise dj_exc from exc``), or ``exc`` itself."""
    cause = exc.__cause__
    return cause if cause is not None else exc


def database_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` says the database is down, overloaded or past a deadline (retrying later helps),
    False for errors a retry cannot fix (a bug: missing table, bad SQL) and for everything else."""
    if not isinstance(exc, (OperationalError, InterfaceError)):
        return False
    if isinstance(exc, InterfaceError):
        return True  # the connection is closed or broken
    driver = _driver_error(exc)
    if psycopg is not None and isinstance(driver, psycopg.Error):
        sqlstate = driver.sqlstate
        # No SQLSTATE: the error came from the client library (connection refused, server closed the socket).
        return sqlstate is None or sqlstate[:2] in _UNAVAILABLE_SQLSTATE_CLASSES or sqlstate in _UNAVAILABLE_SQLSTATES
    if isinstance(driver, sqlite3.Error):
        message = str(driver).lower()
        return any(fragment in message for fragment in _SQLITE_UNAVAILABLE_MESSAGES)
    # An OperationalError that carries no driver error at all: only connection handling raises those.
    return driver is exc


def database_timed_out(exc: BaseException) -> bool:
    """True when a statement or a lock wait exceeded its deadline."""
    driver = _driver_error(exc)
    return psycopg is not None and isinstance(driver, psycopg.Error) and driver.sqlstate in _TIMEOUT_SQLSTATES


@contextlib.contextmanager
def statement_timeout(
    *, statement_ms: int, lock_ms: int | None = None, using: str = DEFAULT_DB_ALIAS
) -> Iterator[None]:
    """Run the block in a transaction whose statements (and lock waits) get these deadlines.

    ``SET LOCAL`` ends with the transaction, so a pooled connection never keeps a widened deadline. On
    other databases than PostgreSQL the block just runs in a transaction.
    """
    with transaction.atomic(using=using):
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(int(statement_ms))])
                if lock_ms is not None:
                    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [str(int(lock_ms))])
        yield


def _apply_long_timeouts(sender, connection, **kwargs) -> None:
    # Behind a transaction pooler a session SET would stay on a server connection other clients then get:
    # there the long deadlines come from the workers' own pool (its connect_query), not from here.
    if connection.vendor != "postgresql" or settings.DATABASE_TRANSACTION_POOLING:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('statement_timeout', %s, false), set_config('lock_timeout', %s, false)",
            [str(settings.DATABASE_LONG_STATEMENT_TIMEOUT_MS), str(settings.DATABASE_LONG_LOCK_TIMEOUT_MS)],
        )


def use_long_running_timeouts() -> None:
    """From now on, every new connection of this process gets the long deadlines (workers, commands).

    Connections already open keep theirs until they are recycled, so call this before the first query.
    """
    connection_created.connect(_apply_long_timeouts, dispatch_uid="common.db.long_running_timeouts")
