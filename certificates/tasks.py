"""Background work of certificates: rendering the PDF (slow: fonts, layout, QR code)."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from certificates.models import Certificate
from certificates.services import certificate_file_render
from common.background import PER_OBJECT_TASK, enqueue

logger = logging.getLogger(__name__)


# Idempotent (it only replaces the file), so a redelivery after a worker died mid-render is harmless.
@shared_task(**{**PER_OBJECT_TASK, "autoretry_for": (Exception,)})
def certificate_render(certificate_id: str) -> None:
    """Render and store the certificate's PDF. Safe to run again: it only replaces the file."""
    certificate = Certificate.objects.filter(pk=certificate_id).first()
    if certificate is None:
        # Deleted with its user before the task ran: nothing left to render, and retrying will not help.
        logger.warning("certificate %s vanished before rendering", certificate_id)
        return
    certificate_file_render(certificate=certificate)


# Periodic and idempotent: no retries of its own, the next run (and acks_late redelivery) picks up the rest.
@shared_task(acks_late=True)
def certificate_render_pending() -> int:
    """Periodic safety net: queue rendering of certificates whose PDF is still missing after a while
    (a lost message, a render that exhausted its retries). Returns how many were queued."""
    cutoff = timezone.now() - timedelta(minutes=settings.CERTIFICATES_RENDER_PENDING_AFTER_MINUTES)
    pending = list(Certificate.objects.filter(file="", created_at__lt=cutoff).values_list("pk", flat=True)[:500])
    # A broker failure for one is logged and the rest are still tried; the next run picks them up.
    return sum(enqueue(certificate_render, str(certificate_id)) for certificate_id in pending)
