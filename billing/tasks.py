"""Background work of billing: receipts after a purchase and the periodic reconciliation."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import InterfaceError, OperationalError

logger = logging.getLogger(__name__)


# SMTP and socket errors are OSErrors; a receipt sent twice after a redelivery beats a receipt lost.
@shared_task(
    acks_late=True,
    autoretry_for=(OSError, OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def payment_receipt_send(payment_id: str) -> None:
    from billing.models import Payment

    payment = Payment.objects.select_related("user", "course").filter(pk=payment_id).first()
    if payment is None or not payment.user.email:
        return
    send_mail(
        subject=f"Payment received: {payment.course.title}",
        message=(
            f"Hello {payment.user.full_name or payment.user.email},\n\n"
            f"We received ₹{payment.amount / 100:.2f} for “{payment.course.title}”. "
            f"Razorpay payment id: {payment.payment_id}.\nThe course is now in your library.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[payment.user.email],
    )


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=6,
)
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
