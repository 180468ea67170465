"""Background work of certificates: rendering the PDF (slow: fonts, layout, QR code)."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from certificates.models import Certificate
from certificates.services import certificate_file_render
from common.background import PER_OBJECT_TASK, enqueue

logger = logging.getLogger(__name__)

RECOVERY_LOCK_KEY = "certificates:render-recover:lock"
RECOVERY_MARK_KEY = "certificates:render-recover:{}"
RECOVERY_BATCH = 100


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


# Queued by every PDF worker's own timer (certificates.worker.RenderRecoveryStep), so lost renders come back
# within a minute or two without beat; the beat sweep above stays as the slower safety net.
@shared_task(acks_late=True)
def certificate_render_recover() -> int:
    """Queue rendering of certificates still without a PDF CERTIFICATES_RENDER_RECOVER_AFTER_SECONDS after
    issue (a message lost with the broker or a killed worker). Returns how many were queued."""
    # One sweep per interval whichever PDF worker's timer fired first (the cache is the shared Redis).
    if not cache.add(RECOVERY_LOCK_KEY, 1, timeout=max(settings.CERTIFICATES_RENDER_RECOVER_EVERY_SECONDS - 1, 1)):
        return 0
    after = settings.CERTIFICATES_RENDER_RECOVER_AFTER_SECONDS
    cutoff = timezone.now() - timedelta(seconds=after)
    pending = Certificate.objects.filter(file="", created_at__lt=cutoff).order_by("created_at")
    candidates = [str(pk) for pk in pending.values_list("pk", flat=True)[:RECOVERY_BATCH]]
    # A certificate queued again by an earlier sweep gets `after` seconds to render before it is queued once
    # more: behind a long PDF backlog, every sweep would otherwise add another copy of the same work.
    marked = cache.get_many([RECOVERY_MARK_KEY.format(pk) for pk in candidates])
    queued = [pk for pk in candidates if RECOVERY_MARK_KEY.format(pk) not in marked and enqueue(certificate_render, pk)]
    cache.set_many({RECOVERY_MARK_KEY.format(pk): 1 for pk in queued}, timeout=max(after, 1))
    if queued:
        logger.warning("queued %d certificate renders again that were lost", len(queued))
    return len(queued)
