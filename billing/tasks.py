"""Background work of billing: receipts after a purchase and the periodic reconciliation."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

logger = logging.getLogger(__name__)


@shared_task
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


@shared_task
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


@shared_task
def payments_reconcile() -> dict[str, int]:
    from billing.services import payments_reconcile as reconcile

    return reconcile()
