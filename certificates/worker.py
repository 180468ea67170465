"""A Celery worker bootstep: PDF workers recover lost certificate renders themselves, without beat.

A render message can be lost (the broker restarted without persistence, a worker killed before Redis's
visibility timeout hands its message on, a broker outage when the certificate was issued). Beat's sweep finds
those after 15–30 minutes, and never when no beat was configured. Every worker that consumes the ``pdf`` queue
is by definition running wherever PDFs get made, so its timer queues ``certificate_render_recover`` at start
and every ``CERTIFICATES_RENDER_RECOVER_EVERY_SECONDS``; a shared lock makes one sweep per interval, whatever
the number of PDF workers. Registered in ``config/celery.py``.
"""

from __future__ import annotations

from celery import bootsteps
from django.conf import settings

from common.background import enqueue

PDF_QUEUE = "pdf"
# The first sweep a few seconds after start: the worker is consuming by then, and a restart loop stays cheap.
FIRST_SWEEP_AFTER_SECONDS = 5


def _queue_recovery_sweep() -> None:
    # Imported when the timer fires: by then Django is set up (this module is imported with the Celery app).
    from certificates.tasks import certificate_render_recover

    enqueue(certificate_render_recover)


class RenderRecoveryStep(bootsteps.StartStopStep):
    requires = ("celery.worker.components:Timer",)

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.timer_entries: list = []

    def start(self, worker) -> None:
        every = settings.CERTIFICATES_RENDER_RECOVER_EVERY_SECONDS
        # A worker started with -Q that leaves out pdf does not render PDFs: recovering them is not its job.
        if every <= 0 or PDF_QUEUE not in worker.app.amqp.queues.consume_from:
            return
        self.timer_entries = [
            worker.timer.call_after(FIRST_SWEEP_AFTER_SECONDS, _queue_recovery_sweep),
            worker.timer.call_repeatedly(every, _queue_recovery_sweep),
        ]

    def stop(self, worker) -> None:
        for entry in self.timer_entries:
            entry.cancel()
        self.timer_entries = []
