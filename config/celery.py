"""The Celery application. Tasks are discovered in every installed app's ``tasks`` module.

Queues and routes are in settings (CELERY_TASK_QUEUES, CELERY_TASK_ROUTES). A worker's database connections
get the long deadlines of background work (common.db), not the web's.
"""

import os

from celery import Celery
from celery.signals import worker_init

from certificates.worker import RenderRecoveryStep

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("dca")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# PDF workers re-queue lost certificate renders on their own timer (no beat needed).
app.steps["worker"].add(RenderRecoveryStep)


@worker_init.connect
def _worker_database_deadlines(**kwargs) -> None:
    from common.db import use_long_running_timeouts

    use_long_running_timeouts()
