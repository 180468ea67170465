"""Background work of billing: receipts after a purchase, their upkeep sweep and the reconciliation."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from common.background import PER_OBJECT_TASK, TRANSIENT_ERRORS, enqueue
from common.money import paise_format

logger = logging.getLogger(__name__)


# SMTP and socket errors are OSErrors; a receipt sent twice after a redelivery beats a receipt lost.
@shared_task(**{**PER_OBJECT_TASK, "autoretry_for": (OSError, *TRANSIENT_ERRORS), "max_retries": 8})
def payment_receipt_send(payment_id: str) -> bool:
    """Render the payment's tax invoice PDF if it is still missing, and email the receipt with it, exactly once.
    Returns True if this call sent it. (A settlement queues only this task: the invoice's PDF is rendered here.)"""
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
        invoice = _invoice_pdf(payment)  # rendered even when there is no address to mail it to
        if payment.user.email:
            message = EmailMessage(
                subject=f"Payment received: {payment.course.title}",
                body=(
                    f"Hello {payment.user.full_name or payment.user.email},\n\n"
                    f"We received {paise_format(payment.amount)} for “{payment.course.title}”. "
                    f"Razorpay payment id: {payment.payment_id}.\nThe course is now in your library.\n"
                ),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[payment.user.email],
            )
            if invoice is not None:
                message.attach(*invoice)
            message.send()
        Payment.objects.filter(pk=payment.pk).update(receipt_sent_at=timezone.now())
    return True


def _invoice_pdf(payment) -> tuple[str, bytes, str] | None:
    """The payment's tax invoice as a mail attachment, rendered now if its own task has not run yet."""
    from billing.models import TaxDocument
    from billing.services import tax_document_file_render

    invoice = TaxDocument.objects.filter(payment=payment, kind=TaxDocument.Kind.INVOICE).first()
    if invoice is None:
        return None
    if not invoice.file_ready:
        invoice = tax_document_file_render(document=invoice)
    with invoice.file.open("rb") as handle:
        return f"{invoice.number.replace('/', '-')}.pdf", handle.read(), "application/pdf"


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


# Idempotent (it only replaces the file), so a redelivery after a worker died mid-render is harmless.
@shared_task(**{**PER_OBJECT_TASK, "autoretry_for": (Exception,)})
def tax_document_render(document_id: str) -> None:
    """Render and store the PDF of a tax invoice or credit note."""
    from billing.models import TaxDocument
    from billing.services import tax_document_file_render

    document = TaxDocument.objects.filter(pk=document_id).first()
    if document is not None:
        tax_document_file_render(document=document)


# Periodic and idempotent: the next run is its retry.
@shared_task(acks_late=True)
def tax_documents_render_pending() -> int:
    """Upkeep: queue the invoices and credit notes whose PDF is still missing after a while (a lost message,
    a render that exhausted its retries). Returns how many were queued."""
    from billing.models import TaxDocument

    cutoff = timezone.now() - timedelta(minutes=settings.BILLING_RECONCILE_AFTER_MINUTES)
    pending = TaxDocument.objects.filter(file="", created_at__lt=cutoff).values_list("pk", flat=True)[:500]
    return sum(enqueue(tax_document_render, str(document_id)) for document_id in pending)


# Idempotent (it only replaces the files), so a redelivery after a worker died mid-render is harmless.
@shared_task(**{**PER_OBJECT_TASK, "autoretry_for": (Exception,)})
def payout_statement_render(statement_id: str) -> None:
    """Render and store the PDF and CSV of a payout statement."""
    from billing.models import PayoutStatement
    from billing.services import payout_statement_file_render

    statement = PayoutStatement.objects.filter(pk=statement_id).first()
    if statement is not None:
        payout_statement_file_render(statement=statement)


# Periodic and idempotent: the next run is its retry.
@shared_task(acks_late=True)
def payout_statements_render_pending() -> int:
    """Upkeep: queue the payout statements whose files are still missing after a while. Returns how many."""
    from billing.models import PayoutStatement

    cutoff = timezone.now() - timedelta(minutes=settings.BILLING_RECONCILE_AFTER_MINUTES)
    pending = PayoutStatement.objects.filter(Q(file="") | Q(csv_file=""), created_at__lt=cutoff)
    return sum(enqueue(payout_statement_render, str(pk)) for pk in pending.values_list("pk", flat=True)[:500])


# Periodic and idempotent: a second run for the same month issues nothing.
@shared_task(acks_late=True)
def payout_statements_issue_last_month() -> dict[str, int]:
    """On the 1st: write every instructor's statement for the month that just ended."""
    from billing.services import payout_statements_issue
    from common.timeutils import local_today, month_start

    return payout_statements_issue(month=month_start(month_start(local_today()) - timedelta(days=1)))
