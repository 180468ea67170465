"""Background work of assessments."""

from __future__ import annotations

import logging

from celery import shared_task

from assessments.services import quiz_attempts_expire

logger = logging.getLogger(__name__)


# Periodic and idempotent (closing an attempt twice is a no-op): the next run is its retry.
@shared_task(ignore_result=True, acks_late=True)
def quiz_attempts_expire_task() -> int:
    """Upkeep: close open attempts past their deadline, scored on their saved answers."""
    closed = quiz_attempts_expire()
    if closed:
        logger.info("Closed %s quiz attempts at their deadline", closed)
    return closed
