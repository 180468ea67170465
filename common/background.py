"""Queueing Celery work after the current transaction commits, without ever failing the request.

Every background job of the project is queued through ``enqueue_on_commit`` (and any other after-commit
hook goes through ``run_on_commit``). Once the transaction has
committed, the work it describes (a payment, a certificate) is a fact: a broker that is down or slow must
not turn that fact into an error answer. So a failure to queue is logged and swallowed, and each kind of
work queued here has an upkeep job that finds what was never done (a receipt not yet sent, a PDF not yet
rendered, a duplicate payment not yet refunded) and queues it again.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import InterfaceError, OperationalError, transaction

logger = logging.getLogger(__name__)

# Work for one object (a PDF, a receipt, a recount, a refund): acknowledged after it ran, so a worker killed
# mid-task leaves it for another, and retried on a transient database error with backoff and jitter.
# Periodic tasks take only ``acks_late``: their next run is the retry.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
PER_OBJECT_TASK = {
    "acks_late": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 6,
}


def enqueue(task: Any, *args: Any) -> bool:
    """``task.delay(*args)`` now; False (logged) when the broker refused it. Never raises."""
    try:
        task.delay(*args)
    except Exception:
        # kombu.exceptions.OperationalError, redis/amqp connection errors, a timeout while publishing, or
        # (eager mode) the task's own error: the upkeep sweep of this kind of work retries it later.
        logger.exception("Could not queue %s%r; the upkeep sweep will pick it up", getattr(task, "name", task), args)
        return False
    return True


def enqueue_on_commit(task: Any, *args: Any, using: str | None = None) -> None:
    """Queue ``task.delay(*args)`` once the current transaction commits (at once outside one).

    Arguments must be plain values (IDs as strings): they are bound now, not when the hook runs.
    """
    transaction.on_commit(lambda: enqueue(task, *args), using=using)


def run_on_commit(function: Any, *, using: str | None = None) -> None:
    """Call ``function()`` once the current transaction commits (at once outside one), for quick work that
    is not a task (a cache version bump); an error is logged, never raised into the committed request."""

    def run() -> None:
        try:
            function()
        except Exception:
            logger.exception("After-commit hook %r failed", function)

    transaction.on_commit(run, using=using)
