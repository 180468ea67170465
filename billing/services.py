"""Business rules of billing: orders, verification, webhook events, refunds and reconciliation.

Money and access stay consistent because every settlement goes through ``payment_settle_captured``,
``payment_settle_failed`` or ``payment_settle_refund``: each locks the payment row
(``select_for_update``), applies the state machine of ``Payment.TRANSITIONS`` and is a no-op when the
state already says so. Verify, webhooks and reconciliation may therefore race or repeat freely.
Razorpay is called (through ``billing.gateway``) before any transaction opens, never inside one.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from billing import errors, gateway
from billing.models import Payment, WebhookEvent
from billing.tasks import payment_duplicate_refund_task, payment_receipt_send
from catalog.models import Course, Enrollment
from catalog.selectors import active_enrollment_get
from catalog.services import enrollment_grant, enrollment_revoke
from common.exceptions import ApplicationError, ConflictError, NotFoundError
from moderation.services import audit_record

logger = logging.getLogger(__name__)

CURRENCY = "INR"
DUPLICATE_REASON = "Duplicate payment for a course already bought."


def _rupees_to_paise(course: Course) -> int:
    return int(course.price * 100)


# --- Orders ---------------------------------------------------------------------------------------


def payment_order_create(*, user, course: Course) -> tuple[Payment, bool]:
    """Open (or reuse) the Razorpay order for ``user`` buying ``course``. Returns (payment, created)."""
    if course.status != Course.Status.PUBLISHED:
        raise NotFoundError("No such course.", code=errors.COURSE_NOT_PURCHASABLE)
    if course.is_free:
        raise ApplicationError(
            "This course is free: enroll directly with POST /api/courses/{id}/enroll/.",
            code=errors.COURSE_IS_FREE,
            errors={"course": ["This course is free; enroll directly instead of paying."]},
        )
    if active_enrollment_get(user=user, course_id=course.pk) is not None:
        raise ConflictError("You are already enrolled in this course.", code=errors.ALREADY_ENROLLED)
    if Payment.objects.filter(user=user, course=course, status__in=Payment.OWNED).exists():
        raise ConflictError("You have already bought this course.", code=errors.ALREADY_PURCHASED)

    amount = _rupees_to_paise(course)  # from the database, never from the client
    reusable_since = timezone.now() - timedelta(minutes=settings.BILLING_ORDER_REUSE_MINUTES)
    open_order = Payment.objects.filter(user=user, course=course, status=Payment.Status.CREATED).first()
    if open_order is not None and open_order.amount == amount and open_order.created_at >= reusable_since:
        return open_order, False

    pk = uuid.uuid4()
    receipt = f"dca_{pk.hex}"
    order = gateway.order_create(
        amount=amount,
        currency=CURRENCY,
        receipt=receipt,
        notes={"payment": str(pk), "user": str(user.pk), "course": str(course.pk)},
    )
    try:
        with transaction.atomic():
            if open_order is not None:
                # Stale or repriced: retire it (a capture reported for it later still ends in paid).
                Payment.objects.filter(pk=open_order.pk, status=Payment.Status.CREATED).update(
                    status=Payment.Status.FAILED,
                    failure_reason="Superseded by a newer order.",
                    failed_at=timezone.now(),
                    updated_at=timezone.now(),
                )
            payment = Payment.objects.create(
                id=pk,
                user=user,
                course=course,
                amount=amount,
                currency=CURRENCY,
                receipt=receipt,
                razorpay_order_id=order["id"],
            )
    except IntegrityError:
        # A concurrent click opened an order first; hand that one out (ours is never shown, so never paid).
        existing = Payment.objects.filter(user=user, course=course, status=Payment.Status.CREATED).first()
        if existing is None:
            raise
        return existing, False
    return payment, True


# --- Settlement (shared by verify, webhooks and reconciliation) -------------------------------------


def _lock(payment_pk) -> Payment:
    return Payment.objects.select_for_update().select_related("user", "course").get(pk=payment_pk)


def _entity_matches(payment: Payment, entity: dict[str, Any]) -> bool:
    return (
        entity.get("order_id") == payment.razorpay_order_id
        and entity.get("amount") == payment.amount
        and str(entity.get("currency", "")).upper() == payment.currency
    )


@transaction.atomic
def payment_settle_captured(*, payment: Payment, razorpay_payment: dict[str, Any], signature: str = "") -> bool:
    """Mark paid and enroll, from a captured Razorpay payment entity. Returns True if this call changed it."""
    payment = _lock(payment.pk)
    if not _entity_matches(payment, razorpay_payment) or razorpay_payment.get("status") != "captured":
        raise ApplicationError(
            "The payment does not match this order (amount, currency or order).", code=errors.PAYMENT_MISMATCH
        )
    if not payment.can_become(Payment.Status.PAID):
        return False  # already paid (or refunded): the second of verify/webhook is a no-op
    payment_id = razorpay_payment["id"]
    duplicate = (
        Payment.objects.filter(user=payment.user, course=payment.course, status__in=Payment.OWNED)
        .exclude(pk=payment.pk)
        .exists()
    )
    if duplicate:
        if payment.payment_id == payment_id:
            return False
        # Paid twice for one course (an abandoned older order paid late): keep access single, give the money back.
        logger.error("Duplicate payment %s for order %s: refunding it", payment_id, payment.razorpay_order_id)
        payment.status = Payment.Status.FAILED
        payment.payment_id = payment_id
        payment.failure_reason = DUPLICATE_REASON
        payment.failed_at = timezone.now()
        payment.save(update_fields=["status", "payment_id", "failure_reason", "failed_at", "updated_at"])
        # robust: a gateway outage must not fail the webhook; reconciliation retries the refund.
        transaction.on_commit(lambda: payment_duplicate_refund_task.delay(str(payment.pk)), robust=True)
        return True
    payment.status = Payment.Status.PAID
    payment.payment_id = payment_id
    payment.signature = signature or payment.signature
    payment.failure_reason = ""
    payment.paid_at = timezone.now()
    payment.save(update_fields=["status", "payment_id", "signature", "failure_reason", "paid_at", "updated_at"])
    enrollment_grant(user=payment.user, course=payment.course, source=Enrollment.Source.PAYMENT)
    transaction.on_commit(lambda: payment_receipt_send.delay(str(payment.pk)))
    return True


@transaction.atomic
def payment_settle_failed(*, payment: Payment, reason: str) -> bool:
    payment = _lock(payment.pk)
    if payment.status != Payment.Status.CREATED:
        return False  # a failure never undoes a payment, and a retried failure changes nothing
    payment.status = Payment.Status.FAILED
    payment.failure_reason = reason[:255]
    payment.failed_at = timezone.now()
    payment.save(update_fields=["status", "failure_reason", "failed_at", "updated_at"])
    return True


@transaction.atomic
def payment_settle_refund(*, payment: Payment, refund: dict[str, Any]) -> bool:
    """Apply a Razorpay refund entity: processed → refunded and access revoked; failed → back to paid."""
    payment = _lock(payment.pk)
    refund_status = refund.get("status")
    if refund_status == "processed":
        if refund.get("amount") != payment.amount or not payment.can_become(Payment.Status.REFUNDED):
            return False  # partial refunds keep access; a repeated refund event changes nothing
        payment.status = Payment.Status.REFUNDED
        payment.refund_id = refund["id"]
        payment.refunded_at = timezone.now()
        payment.save(update_fields=["status", "refund_id", "refunded_at", "updated_at"])
        enrollment = Enrollment.objects.filter(
            user=payment.user, course=payment.course, source=Enrollment.Source.PAYMENT
        ).first()
        if enrollment is not None:
            enrollment_revoke(enrollment=enrollment, reason="Payment refunded.")
        return True
    if refund_status == "failed" and payment.status == Payment.Status.REFUND_PENDING:
        payment.status = Payment.Status.PAID
        payment.failure_reason = "Refund failed at Razorpay."
        payment.save(update_fields=["status", "failure_reason", "updated_at"])
        return True
    return False


# --- Checkout verification ------------------------------------------------------------------------


def payment_verify(*, user, razorpay_order_id: str, razorpay_payment_id: str, razorpay_signature: str) -> Payment:
    """Confirm Checkout's success callback with Razorpay, then mark paid and enroll (idempotent)."""
    payment = Payment.objects.filter(user=user, razorpay_order_id=razorpay_order_id).first()
    if payment is None:
        raise NotFoundError("No such order.")
    if not gateway.checkout_signature_valid(
        order_id=payment.razorpay_order_id, payment_id=razorpay_payment_id, signature=razorpay_signature
    ):
        raise ApplicationError(
            "The payment signature is invalid.",
            code=errors.INVALID_SIGNATURE,
            errors={"razorpay_signature": ["Signature does not match this order and payment."]},
        )
    if payment.status in Payment.OWNED and payment.payment_id == razorpay_payment_id:
        return payment  # a retried verify after the webhook (or itself) already settled it

    entity = gateway.payment_fetch(payment_id=razorpay_payment_id)
    if not _entity_matches(payment, entity):
        raise ApplicationError(
            "The payment does not match this order (amount, currency or order).", code=errors.PAYMENT_MISMATCH
        )
    if entity.get("status") == "authorized":
        try:
            entity = gateway.payment_capture(
                payment_id=razorpay_payment_id, amount=payment.amount, currency=payment.currency
            )
        except gateway.GatewayRejected:
            # Captured meanwhile (auto-capture, a racing verify): Razorpay's current view decides.
            entity = gateway.payment_fetch(payment_id=razorpay_payment_id)
    if entity.get("status") != "captured":
        raise ApplicationError(
            "Razorpay has not captured this payment.",
            code=errors.PAYMENT_NOT_CAPTURED,
            errors={"razorpay_payment_id": [f"Payment status is {entity.get('status')!r}."]},
        )
    payment_settle_captured(payment=payment, razorpay_payment=entity, signature=razorpay_signature)
    payment.refresh_from_db()
    return payment


# --- Webhooks -------------------------------------------------------------------------------------


def _entity(payload: dict[str, Any], name: str) -> dict[str, Any]:
    value = (payload.get("payload") or {}).get(name) or {}
    entity = value.get("entity") if isinstance(value, dict) else None
    return entity if isinstance(entity, dict) else {}


def _apply_event(event_type: str, payload: dict[str, Any]) -> tuple[Payment | None, str]:
    outcome = WebhookEvent.Outcome
    payment_entity = _entity(payload, "payment")
    if event_type in ("payment.captured", "order.paid", "payment.failed"):
        order_id = payment_entity.get("order_id") or _entity(payload, "order").get("id")
        payment = Payment.objects.filter(razorpay_order_id=order_id).first() if order_id else None
        if payment is None:
            return None, outcome.IGNORED  # not one of ours (another product on the same account)
        if event_type == "payment.failed":
            reason = payment_entity.get("error_description") or "The payment failed."
            changed = payment_settle_failed(payment=payment, reason=reason)
            return payment, outcome.APPLIED if changed else outcome.NO_CHANGE
        try:
            changed = payment_settle_captured(payment=payment, razorpay_payment=payment_entity)
        except ApplicationError:
            logger.error("Webhook %s does not match payment %s", event_type, payment.pk)
            return payment, outcome.REJECTED
        return payment, outcome.APPLIED if changed else outcome.NO_CHANGE
    if event_type in ("refund.processed", "refund.failed"):
        refund = _entity(payload, "refund")
        payment_id = refund.get("payment_id") or payment_entity.get("id")
        payment = Payment.objects.filter(payment_id=payment_id).first() if payment_id else None
        if payment is None:
            return None, outcome.IGNORED
        changed = payment_settle_refund(payment=payment, refund=refund)
        return payment, outcome.APPLIED if changed else outcome.NO_CHANGE
    return None, outcome.IGNORED


@transaction.atomic
def webhook_event_process(*, event_id: str, payload: dict[str, Any]) -> str:
    """Apply one verified webhook delivery exactly once. Returns the outcome ("duplicate" for a replay)."""
    event_type = str(payload.get("event", ""))[:64]
    try:
        # The unique event id makes a concurrent replay wait here, then fail: it is never applied twice.
        with transaction.atomic():
            event = WebhookEvent.objects.create(
                event_id=event_id, event_type=event_type, payload=payload, outcome=WebhookEvent.Outcome.IGNORED
            )
    except IntegrityError:
        return "duplicate"
    payment, result = _apply_event(event_type, payload)
    event.payment = payment
    event.outcome = result
    event.save(update_fields=["payment", "outcome"])
    return result


# --- Refunds --------------------------------------------------------------------------------------


def payment_refund(*, payment: Payment, actor, reason: str = "") -> Payment:
    """Ask Razorpay for a full refund (idempotent per payment) and move the payment to refund_pending."""
    if payment.status in (Payment.Status.REFUND_PENDING, Payment.Status.REFUNDED):
        raise ConflictError("A refund was already requested for this payment.", code=errors.REFUND_ALREADY_REQUESTED)
    if payment.status != Payment.Status.PAID:
        raise ConflictError("Only a paid payment can be refunded.", code=errors.PAYMENT_NOT_REFUNDABLE)
    refund = gateway.refund_create(
        payment_id=payment.payment_id,
        amount=payment.amount,
        idempotency_key=f"dca-refund-{payment.pk}",
        notes={"payment": str(payment.pk), "requested_by": str(actor.pk)},
    )
    with transaction.atomic():
        locked = _lock(payment.pk)
        if locked.status == Payment.Status.PAID:
            locked.status = Payment.Status.REFUND_PENDING
            locked.refund_id = refund["id"]
            locked.refund_requested_at = timezone.now()
            locked.save(update_fields=["status", "refund_id", "refund_requested_at", "updated_at"])
            audit_record(
                actor=actor,
                action="payment.refund",
                target=locked,
                details={"refund_id": refund["id"], "amount": locked.amount, "reason": reason},
            )
        elif locked.status != Payment.Status.REFUND_PENDING or locked.refund_id != refund["id"]:
            # A concurrent request won; Razorpay's idempotency kept it to one refund.
            raise ConflictError(
                "A refund was already requested for this payment.", code=errors.REFUND_ALREADY_REQUESTED
            )
    if refund.get("status") == "processed":
        payment_settle_refund(payment=locked, refund=refund)
    locked.refresh_from_db()
    return locked


def payment_duplicate_refund(*, payment: Payment) -> bool:
    """Refund a payment captured for a course the learner already owns (it stays failed, with a refund id)."""
    duplicate = payment.failure_reason.startswith(DUPLICATE_REASON) and payment.payment_id
    if payment.status != Payment.Status.FAILED or not duplicate or payment.refund_id:
        return False
    refund = gateway.refund_create(
        payment_id=payment.payment_id,
        amount=payment.amount,
        idempotency_key=f"dca-refund-{payment.pk}",
        notes={"payment": str(payment.pk), "reason": "duplicate"},
    )
    with transaction.atomic():
        locked = _lock(payment.pk)
        if locked.refund_id:
            return False
        locked.refund_id = refund["id"]
        locked.refund_requested_at = timezone.now()
        locked.failure_reason = f"{DUPLICATE_REASON} Refunded automatically."
        locked.save(update_fields=["refund_id", "refund_requested_at", "failure_reason", "updated_at"])
    return True


# --- Reconciliation -------------------------------------------------------------------------------


def payment_reconcile(*, payment: Payment) -> str:
    """Ask Razorpay what happened to one unsettled payment and settle it as the webhook would."""
    if payment.status == Payment.Status.FAILED:
        return "duplicate_refunded" if payment_duplicate_refund(payment=payment) else "unchanged"
    if payment.status == Payment.Status.REFUND_PENDING:
        refund = gateway.refund_fetch(refund_id=payment.refund_id)
        return "refund_settled" if payment_settle_refund(payment=payment, refund=refund) else "unchanged"
    if payment.status != Payment.Status.CREATED:
        return "unchanged"
    attempts = gateway.order_payments(order_id=payment.razorpay_order_id)
    for entity in attempts:
        if entity.get("status") == "authorized" and _entity_matches(payment, entity):
            try:
                entity = gateway.payment_capture(
                    payment_id=entity["id"], amount=payment.amount, currency=payment.currency
                )
            except gateway.GatewayRejected:
                entity = gateway.payment_fetch(payment_id=entity["id"])
        if entity.get("status") == "captured":
            try:
                payment_settle_captured(payment=payment, razorpay_payment=entity)
            except ApplicationError:
                logger.error("Reconciliation: payment %s does not match order %s", entity.get("id"), payment.pk)
                continue
            return "paid"
    expired_before = timezone.now() - timedelta(minutes=settings.BILLING_ORDER_REUSE_MINUTES)
    if payment.created_at < expired_before:
        failures = [a.get("error_description") for a in attempts if a.get("status") == "failed"]
        reason = next((f for f in failures if f), "The order expired without a successful payment.")
        payment_settle_failed(payment=payment, reason=reason)
        return "failed"
    return "unchanged"


def payments_reconcile(*, older_than: timedelta | None = None) -> dict[str, int]:
    """Reconcile every order and refund left unsettled for longer than ``older_than``."""
    if older_than is None:
        older_than = timedelta(minutes=settings.BILLING_RECONCILE_AFTER_MINUTES)
    cutoff = timezone.now() - older_than
    candidates = Payment.objects.filter(
        Q(status=Payment.Status.CREATED, created_at__lt=cutoff)
        | Q(status=Payment.Status.REFUND_PENDING, refund_requested_at__lt=cutoff)
        # a duplicate capture whose automatic refund did not go through yet
        | (Q(status=Payment.Status.FAILED, refund_id="", failed_at__lt=cutoff) & ~Q(payment_id=""))
    ).order_by("created_at")
    counts = dict.fromkeys(["paid", "failed", "refund_settled", "duplicate_refunded", "unchanged", "errors"], 0)
    for payment in candidates.iterator():
        try:
            result = payment_reconcile(payment=payment)
        except gateway.GatewayUnavailable:
            # Left for the next run; the others still get settled.
            logger.warning("Reconciliation of payment %s postponed: gateway unavailable", payment.pk)
            counts["errors"] += 1
            continue
        counts[result] += 1
    return counts
