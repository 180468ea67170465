"""Celery queues: PDFs, e-mail and periodic upkeep each have their own; routing is in settings."""

from __future__ import annotations

import pytest
from django.conf import settings

from config.celery import app
from tests.support.apps import DOMAIN_APPS

PROJECT_APPS = DOMAIN_APPS


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def project_tasks() -> list[str]:
    app.loader.import_default_modules()
    return sorted(name for name in app.tasks if name.split(".", 1)[0] in PROJECT_APPS)


def test_a_worker_without_queues_consumes_every_queue():
    # `celery -A config worker` (no -Q) consumes every declared queue: one worker is enough in development.
    assert set(app.amqp.queues) == set(settings.CELERY_QUEUE_NAMES) == {"celery", "pdf", "email", "upkeep"}


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("certificates.tasks.certificate_render", "pdf"),
        ("billing.tasks.payment_receipt_send", "email"),
        ("catalog.tasks.course_progress_recompute_task", "celery"),
    ],
)
def test_tasks_are_routed_by_kind(task, queue):
    assert task in project_tasks()
    assert queue_of(task) == queue


def test_every_periodic_task_runs_on_the_upkeep_queue():
    # A long upkeep run must never hold up a PDF or a receipt, whatever is added to the beat schedule.
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled
    assert {task: queue_of(task) for task in scheduled} == dict.fromkeys(scheduled, "upkeep")


def test_every_project_task_is_registered_on_a_declared_queue():
    tasks = project_tasks()
    assert set(settings.CELERY_TASK_ROUTES) <= set(tasks), "a route names a task that does not exist"
    assert {queue_of(task) for task in tasks} <= set(settings.CELERY_QUEUE_NAMES)


def test_every_project_task_is_acknowledged_after_it_ran():
    # A worker killed mid-task leaves the message on the broker, so another worker runs it again; every task
    # is idempotent for that reason.
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert {task: app.tasks[task].acks_late for task in project_tasks()} == dict.fromkeys(project_tasks(), True)


@pytest.mark.parametrize("task", ["certificates.tasks.certificate_render", "billing.tasks.payment_receipt_send"])
def test_work_for_one_object_is_retried_with_backoff(task):
    registered = app.tasks[task]
    assert registered.autoretry_for
    assert registered.retry_backoff and registered.retry_jitter
    assert registered.max_retries >= 5
