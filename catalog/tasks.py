"""Background work of the catalog (queued with ``transaction.on_commit``; arguments are IDs)."""

from __future__ import annotations

import logging

from celery import shared_task

from catalog.selectors import courses_with_stale_progress
from catalog.services import course_progress_recompute
from common.background import PER_OBJECT_TASK

logger = logging.getLogger(__name__)


@shared_task(**PER_OBJECT_TASK)
def course_progress_recompute_task(course_id: str) -> int:
    """Recount learners' progress of one course after its lessons changed (may take a while on big courses)."""
    return course_progress_recompute(course_id=course_id)


# Periodic and idempotent (it recounts): the next run is its retry.
@shared_task(ignore_result=True, acks_late=True)
def course_progress_upkeep() -> int:
    """Upkeep: recount the courses whose learners' progress disagrees with their lessons (a recount lost
    with the broker, see ``common.background``). Returns how many courses were recounted."""
    stale = courses_with_stale_progress()
    for course_id in stale:
        course_progress_recompute(course_id=course_id)
    if stale:
        logger.warning("Recounted the progress of %s courses whose recount had been lost", len(stale))
    return len(stale)
