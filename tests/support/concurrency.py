"""Run callables at the same moment, each in its own thread and database connection.

Races are only real on PostgreSQL (mark such tests ``postgres`` and ``django_db(transaction=True)``): each
thread opens its own connections, so the rows it reads and locks are the committed ones, and closes them when
done, so the test database can be dropped afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

import psycopg
from django.db import connection, connections

BARRIER_TIMEOUT_SECONDS = 30  # a thread that never reaches the start breaks the barrier instead of hanging the run
JOIN_TIMEOUT_SECONDS = 300  # a call stuck on a lock fails the test instead of hanging the run


def run_concurrently(*calls: Callable[[], Any], times: int = 1) -> list[Any]:
    """Start every call (each ``times`` times) together at a barrier; return, in call order, what each returned or
    the exception it raised."""
    calls = calls * times
    barrier = threading.Barrier(len(calls), timeout=BARRIER_TIMEOUT_SECONDS)
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            outcomes[index] = call()
        except BaseException as exc:  # handed to the test, which asserts on it
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, call), daemon=True) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT_SECONDS)
    stuck = [thread.name for thread in threads if thread.is_alive()]
    assert not stuck, f"{len(stuck)} of {len(threads)} calls still running after {JOIN_TIMEOUT_SECONDS} s"
    return outcomes


def raised(outcomes: Iterable[Any]) -> list[BaseException]:
    """The exceptions among ``run_concurrently``'s outcomes."""
    return [outcome for outcome in outcomes if isinstance(outcome, BaseException)]


def returned(outcomes: Iterable[Any]) -> list[Any]:
    """``run_concurrently``'s outcomes, after asserting that no call raised."""
    outcomes = list(outcomes)
    assert raised(outcomes) == [], raised(outcomes)
    return outcomes


def another_session(**options: Any) -> psycopg.Connection:
    """A second PostgreSQL session on the test database, outside Django (an in-flight transaction of
    another process, an administrator's session): close it, or use it in a ``with`` block."""
    params = connection.settings_dict
    return psycopg.connect(
        dbname=params["NAME"],
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        **options,
    )
