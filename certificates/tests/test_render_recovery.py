"""Lost certificate renders come back without beat: every PDF worker's timer queues the recovery sweep."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.utils import timezone

from certificates.models import Certificate
from certificates.services import certificate_issue
from certificates.tasks import RECOVERY_LOCK_KEY, RECOVERY_MARK_KEY, certificate_render_recover
from certificates.worker import RenderRecoveryStep
from config.celery import app


@pytest.fixture
def recovery(settings):
    settings.CERTIFICATES_RENDER_RECOVER_EVERY_SECONDS = 60
    settings.CERTIFICATES_RENDER_RECOVER_AFTER_SECONDS = 120
    return settings


def issued_without_pdf(user, course, *, age: timedelta) -> Certificate:
    certificate, _ = certificate_issue(user=user, course=course)
    Certificate.objects.filter(pk=certificate.pk).update(file="", created_at=timezone.now() - age)
    return certificate


@pytest.mark.django_db
def test_the_sweep_renders_certificates_lost_for_longer_than_the_grace_period_only(
    recovery, student, other_student, course
):
    # Given a certificate whose render was lost 5 minutes ago and one issued 30 seconds ago (still in the queue)
    lost = issued_without_pdf(student, course, age=timedelta(minutes=5))
    recent = issued_without_pdf(other_student, course, age=timedelta(seconds=30))

    # When a PDF worker's timer runs the sweep
    queued = certificate_render_recover.delay().get()

    # Then only the lost one was queued again (and, eagerly here, rendered), and it is marked as re-queued
    assert queued == 1
    assert Certificate.objects.get(pk=lost.pk).file_ready
    assert not Certificate.objects.get(pk=recent.pk).file_ready
    assert cache.get(RECOVERY_MARK_KEY.format(lost.pk)) == 1


@pytest.mark.django_db
def test_one_sweep_per_interval_whatever_the_number_of_pdf_workers(recovery, student, course):
    # Given a sweep that has just run (another PDF worker's timer)
    assert certificate_render_recover.delay().get() == 0
    assert cache.get(RECOVERY_LOCK_KEY) == 1
    issued_without_pdf(student, course, age=timedelta(minutes=5))

    # When a second worker's timer fires within the same interval, then it does nothing
    assert certificate_render_recover.delay().get() == 0

    # And the next interval's sweep queues the lost render
    cache.delete(RECOVERY_LOCK_KEY)
    assert certificate_render_recover.delay().get() == 1


@pytest.mark.django_db
def test_a_certificate_queued_again_is_not_queued_once_more_before_its_grace_period_ends(recovery, student, course):
    # Given a lost render the previous sweep already queued again (still waiting behind a PDF backlog)
    lost = issued_without_pdf(student, course, age=timedelta(minutes=5))
    cache.set(RECOVERY_MARK_KEY.format(lost.pk), 1)

    # When the next sweep runs, then it leaves that one alone
    assert certificate_render_recover.delay().get() == 0
    assert not Certificate.objects.get(pk=lost.pk).file_ready


def test_the_task_runs_on_the_pdf_queue():
    assert app.amqp.router.route({}, "certificates.tasks.certificate_render_recover")["queue"].name == "pdf"


class RecordingTimer:
    def __init__(self):
        self.calls: list[tuple[str, float]] = []

    def _entry(self, kind: str, seconds: float):
        self.calls.append((kind, seconds))
        return SimpleNamespace(cancelled=False, cancel=lambda: self.calls.append(("cancel", seconds)))

    def call_after(self, seconds, fun):
        return self._entry("after", seconds)

    def call_repeatedly(self, seconds, fun):
        return self._entry("every", seconds)


def worker_consuming(*queues: str) -> SimpleNamespace:
    return SimpleNamespace(
        app=SimpleNamespace(amqp=SimpleNamespace(queues=SimpleNamespace(consume_from=dict.fromkeys(queues)))),
        timer=RecordingTimer(),
    )


def test_a_pdf_worker_sweeps_at_start_and_every_interval_and_stops_with_the_worker(recovery):
    worker = worker_consuming("celery", "pdf", "email", "upkeep")
    step = RenderRecoveryStep(worker)

    step.start(worker)
    step.stop(worker)

    assert worker.timer.calls == [("after", 5), ("every", 60), ("cancel", 5), ("cancel", 60)]


@pytest.mark.parametrize(("queues", "every"), [(("email", "upkeep"), 60), (("pdf",), 0)])
def test_no_sweep_on_a_worker_without_the_pdf_queue_or_when_switched_off(recovery, queues, every):
    recovery.CERTIFICATES_RENDER_RECOVER_EVERY_SECONDS = every
    worker = worker_consuming(*queues)

    RenderRecoveryStep(worker).start(worker)

    assert worker.timer.calls == []
