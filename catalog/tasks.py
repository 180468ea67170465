"""Background work of the catalog (queued with ``transaction.on_commit``; arguments are IDs)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from catalog.services import course_progress_recompute


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=6,
)
def course_progress_recompute_task(course_id: str) -> int:
    """Recount learners' progress of one course after its lessons changed (may take a while on big courses)."""
    return course_progress_recompute(course_id=course_id)
