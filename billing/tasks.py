"""Background work of billing: receipts after a purchase, their upkeep sweep and the reconciliation."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from common.background import PER_OBJECT_TASK, TRANSIENT_ERRORS, enqueue
from common.money import paise_format

logger = logging.getLogger(__name__)


# SMTP and socket errors are OSErrors; a receipt sent twice after a redelivery beats a receipt lost.
@shared_task(**{**PER_OBJECT_TASK, "autoretry_for": (OSError, *TRANSIENT_ERRORS), "max_retries": 8})
def payment_receipt_send(payment_id: str) -> bool:
    """Email the receipt of a paid payment, exactly once. Returns True if this call sent it."""
    from billing.models import Payment

    with transaction.atomic():
        # The row lock makes a queued send and the sweep's send of the same receipt take turns; the
        # marker commits only if the mail went out, so a failed send is retried by the sweep.
        payment = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("user", "course")
            .filter(pk=payment_id, status__in=Payment.OWNED, receipt_sent_at__isnull=True)
            .first()
        )
        if payment is None:
            return False  # sent already, refunded, or gone
        if payment.user.email:
            send_mail(
                subject=f"Payment received: {payment.course.title}",
                message=(
                    f"Hello {payment.user.full_name or payment.user.email},\n\n"
                    f"We received {paise_format(payment.amount)} for “{payment.course.title}”. "
                    f"Razorpay payment id: {payment.payment_id}.\nThe course is now in your library.\n"
                ),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[payment.user.email],
            )
        Payment.objects.filter(pk=payment.pk).update(receipt_sent_at=timezone.now())
    return True


@shared_task(acks_late=True)
def payment_receipts_pending() -> int:
    """Upkeep: queue the receipts that were never sent (lost with the broker, or the mail failed).
    Returns how many were queued."""
    from billing.models import Payment

    cutoff = timezone.now() - timedelta(minutes=settings.BILLING_RECONCILE_AFTER_MINUTES)
    due = Payment.objects.filter(status__in=Payment.OWNED, receipt_sent_at__isnull=True, paid_at__lt=cutoff)
    queued = 0
    for payment_id in due.values_list("pk", flat=True)[:500]:
        queued += enqueue(payment_receipt_send, str(payment_id))
    return queued


@shared_task(**PER_OBJECT_TASK)
def payment_duplicate_refund_task(payment_id: str) -> None:
    from billing import gateway
    from billing.models import Payment
    from billing.services import payment_duplicate_refund

    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        return
    try:
        payment_duplicate_refund(payment=payment)
    except gateway.GatewayUnavailable:
        logger.warning("Refund of duplicate payment %s postponed to reconciliation", payment_id)


# Periodic and idempotent: the next run is its retry.
@shared_task(acks_late=True)
def payments_reconcile() -> dict[str, int]:
    from billing.services import payments_reconcile as reconcile

    return reconcile()
