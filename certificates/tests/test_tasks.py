"""certificates.tasks.certificate_render."""

from __future__ import annotations

import uuid

import pytest

from certificates.models import Certificate
from certificates.services import certificate_issue
from certificates.tasks import certificate_render

pytestmark = pytest.mark.django_db


def test_render_task_stores_the_pdf(student, course):
    certificate, _ = certificate_issue(user=student, course=course)

    certificate_render.delay(str(certificate.pk))

    assert Certificate.objects.get(pk=certificate.pk).file_ready


def test_render_task_for_a_vanished_certificate_does_nothing():
    # Does not raise (so it is not retried forever).
    certificate_render.delay(str(uuid.uuid4()))


def test_render_task_retries_with_backoff():
    assert certificate_render.autoretry_for == (Exception,)
    assert certificate_render.retry_backoff is True
    assert certificate_render.max_retries == 6


def test_pending_sweep_renders_only_certificates_waiting_too_long(student, other_student, course, settings):
    from datetime import timedelta

    from django.utils import timezone

    from certificates.tasks import certificate_render_pending

    # Given one certificate waiting for its PDF for an hour and one issued just now
    settings.CERTIFICATES_RENDER_PENDING_AFTER_MINUTES = 15
    stale, _ = certificate_issue(user=student, course=course)
    Certificate.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(hours=1))
    fresh, _ = certificate_issue(user=other_student, course=course)

    # When the sweep runs
    queued = certificate_render_pending.delay().get()

    # Then only the stale one was rendered
    assert queued == 1
    assert Certificate.objects.get(pk=stale.pk).file_ready
    assert not Certificate.objects.get(pk=fresh.pk).file_ready
