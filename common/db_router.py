"""Read replicas: which database a query goes to.

Every query goes to the primary (``default``) unless it runs inside ``replica_reads()``, a block that
declares "these reads tolerate a few seconds of lag" (the public catalogue, leaderboards, admin stats,
reports and exports). Even there, a read stays on the primary once the request (or task) has written, or
while a transaction is open on the primary: what a caller just wrote is always what it reads back.

Opt-in rather than "all reads to replicas": most reads of this API follow a write of the same user
(enrollment right after payment, progress after completing a lesson, a certificate after a course), and a
replica a second behind would answer them with yesterday's truth. Only the places that say so read stale.

Replicas are ``settings.DATABASE_REPLICAS`` (aliases built from ``DATABASE_REPLICA_URLS``); with none, this
router sends everything to the primary and ``replica_reads()`` changes nothing.
"""

from __future__ import annotations

import contextlib
import functools
import random
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


@dataclass
class _RoutingState:
    lag_tolerant: int = 0  # depth of nested replica_reads() blocks
    wrote: bool = False  # this request or task has written: read-your-writes from now on


# One state per request or task (reset by `routing_reset`); a fresh thread starts with none.
_state: ContextVar[_RoutingState | None] = ContextVar("db_routing_state", default=None)


def _current() -> _RoutingState:
    state = _state.get()
    if state is None:
        state = _RoutingState()
        _state.set(state)
    return state


def routing_reset(**kwargs) -> None:
    """Forget the previous request's writes (connected to request_started and Celery's task_prerun)."""
    _state.set(_RoutingState())


@contextlib.contextmanager
def replica_reads() -> Iterator[None]:
    """Reads in this block may go to a replica (lag-tolerant), unless this request has written."""
    state = _current()
    state.lag_tolerant += 1
    try:
        yield
    finally:
        state.lag_tolerant -= 1


def lag_tolerant(view: Callable[P, R]) -> Callable[P, R]:
    """Decorator form of ``replica_reads()`` for a view method or a selector."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with replica_reads():
            return view(*args, **kwargs)

    return wrapper


def replica_reads_iter(rows: Iterable[T]) -> Iterator[T]:
    """``rows`` consumed inside ``replica_reads()``: for streamed responses, whose queries run after the view."""
    with replica_reads():
        yield from rows


def replica_for_read() -> str:
    """The alias a read goes to right now: a replica inside ``replica_reads()`` when nothing forbids it."""
    replicas = settings.DATABASE_REPLICAS
    state = _current()
    if not replicas or not state.lag_tolerant or state.wrote or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return random.choice(replicas)  # noqa: S311 - load spreading, not security


class PrimaryReplicaRouter:
    """``DATABASE_ROUTERS`` entry: reads per ``replica_for_read()``, every write to the primary."""

    def db_for_read(self, model, **hints) -> str:
        return replica_for_read()

    def db_for_write(self, model, **hints) -> str:
        _current().wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # Replicas hold the primary's rows: an object read from one may point at one read from another.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        # Replicas receive the schema through replication, never through `migrate`.
        return db not in settings.DATABASE_REPLICAS
