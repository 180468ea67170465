"""Background upkeep of accounts: forgetting spent refresh tokens once they have expired anyway."""

from __future__ import annotations

import logging

from celery import shared_task

from accounts import services

logger = logging.getLogger(__name__)


# Periodic and idempotent (it deletes expired rows): the next run is its retry.
@shared_task(ignore_result=True, acks_late=True)
def spent_refresh_tokens_prune() -> int:
    deleted = services.spent_refresh_tokens_prune()
    logger.info("pruned %d expired spent refresh tokens", deleted)
    return deleted
