"""The production schedule: each upkeep job is in CELERY_BEAT_SCHEDULE and a worker knows its task."""

from __future__ import annotations

import pytest
from celery.schedules import crontab
from django.conf import settings

EXPECTED = {
    "accounts-spent-refresh-tokens-prune": "accounts.tasks.spent_refresh_tokens_prune",
    "assessments-attempts-expire": "assessments.tasks.quiz_attempts_expire_task",
    "billing-reconcile-payments": "billing.tasks.payments_reconcile",
    "billing-receipts-pending": "billing.tasks.payment_receipts_pending",
    "billing-payout-statements": "billing.tasks.payout_statements_issue_last_month",
    "billing-payout-statements-pending": "billing.tasks.payout_statements_render_pending",
    "catalog-progress-upkeep": "catalog.tasks.course_progress_upkeep",
    "certificates-render-pending": "certificates.tasks.certificate_render_pending",
    "gamification-leaderboards-upkeep": "gamification.tasks.leaderboards_upkeep",
}


@pytest.mark.parametrize(("entry", "task"), sorted(EXPECTED.items()))
def test_beat_schedules_each_upkeep_task_and_the_worker_knows_it(entry, task):
    from config.celery import app

    # What a worker does at start-up: import every app's tasks module.
    app.loader.import_default_modules()

    schedule = settings.CELERY_BEAT_SCHEDULE[entry]

    assert schedule["task"] == task
    assert task in app.tasks
    every = schedule["schedule"]
    assert isinstance(every, crontab) or 60 <= float(every) <= 24 * 3600
