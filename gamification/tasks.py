"""Periodic upkeep of the leaderboard roll-ups (run by Celery beat)."""

import logging

from celery import shared_task

from gamification.services import leaderboards_rebuild

logger = logging.getLogger(__name__)


# Periodic and idempotent (it compares and repairs): the next run is its retry.
@shared_task(ignore_result=True, acks_late=True)
def leaderboards_upkeep() -> int:
    """Compare the roll-ups with the XP ledger and repair any drift; there should never be any.

    Roll-ups are written in the awarding transaction, so drift means a bug or a hand edit: it is logged as
    an error (and reaches Sentry) as well as repaired. Returns the number of rows repaired.
    """
    drift = leaderboards_rebuild(fix=True)
    if drift.count:
        logger.error(
            "Leaderboard roll-ups drifted from the XP ledger; repaired %s rows (%s missing, %s extra, %s wrong).",
            drift.count,
            drift.missing_count,
            drift.extra_count,
            drift.wrong_count,
        )
    return drift.count
