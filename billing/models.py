"""Payments for paid courses (one Razorpay order each) and the webhook events already applied."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from common.models import TimeStampedModel, UUIDModel


class PaymentQuerySet(models.QuerySet):
    def with_relations(self) -> PaymentQuerySet:
        return self.select_related("user", "course")


class Payment(TimeStampedModel):
    """One purchase attempt: a Razorpay order, and the payment that settled it.

    ``status`` only moves along ``TRANSITIONS``: created → paid | failed; failed → paid (a capture
    reported after a failure or an expiry still counts); paid → refund_pending → refunded (or back to
    paid when Razorpay reports the refund failed); paid → refunded (refund made from the dashboard);
    created | failed → refunded (Razorpay reports a processed refund of a capture we never saw: the
    learner never gets access).
    """

    class Status(models.TextChoices):
        CREATED = "created", "Created"
        PAID = "paid", "Paid"
        FAILED = "failed", "Failed"
        REFUND_PENDING = "refund_pending", "Refund pending"
        REFUNDED = "refunded", "Refunded"

    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.CREATED: frozenset({Status.PAID, Status.FAILED, Status.REFUNDED}),
        Status.FAILED: frozenset({Status.PAID, Status.REFUNDED}),
        Status.PAID: frozenset({Status.REFUND_PENDING, Status.REFUNDED}),
        Status.REFUND_PENDING: frozenset({Status.REFUNDED, Status.PAID}),
        Status.REFUNDED: frozenset(),
    }
    # Statuses in which the learner owns the course; at most one such payment per learner and course.
    OWNED = (Status.PAID, Status.REFUND_PENDING)

    # PROTECT: money records outlive accounts and courses.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments")
    course = models.ForeignKey("catalog.Course", on_delete=models.PROTECT, related_name="payments")
    amount = models.PositiveIntegerField(help_text="In paise.")
    currency = models.CharField(max_length=3, default="INR")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CREATED)
    razorpay_order_id = models.CharField(max_length=64, unique=True)
    payment_id = models.CharField(max_length=64, blank=True, help_text="Razorpay payment id (pay_...).")
    receipt = models.CharField(max_length=40, unique=True)
    signature = models.CharField(max_length=128, blank=True)
    failure_reason = models.CharField(max_length=255, blank=True)
    refund_id = models.CharField(max_length=64, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    refund_requested_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    # Numbers the refund requests: Razorpay replays the answer to a repeated idempotency key, so the key
    # names the attempt (``dca-refund-<payment>-<attempt>``) and a failed refund moves to the next one.
    refund_attempt = models.PositiveSmallIntegerField(default=1)
    # Set when the receipt email went out; the upkeep sweep sends the ones a broker outage lost.
    receipt_sent_at = models.DateTimeField(null=True, blank=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course"],
                condition=Q(status__in=["paid", "refund_pending"]),
                name="billing_payment_one_owned_per_user_course",
            ),
            models.UniqueConstraint(
                fields=["user", "course"],
                condition=Q(status="created"),
                name="billing_payment_one_open_order_per_user_course",
            ),
            models.UniqueConstraint(
                fields=["payment_id"], condition=~Q(payment_id=""), name="billing_payment_payment_id_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["created", "paid", "failed", "refund_pending", "refunded"]),
                name="billing_payment_status_valid",
            ),
            # Money received is always traceable to a Razorpay payment and a time.
            models.CheckConstraint(
                condition=~Q(status__in=["paid", "refund_pending", "refunded"])
                | (~Q(payment_id="") & Q(paid_at__isnull=False)),
                name="billing_payment_paid_has_payment",
            ),
            models.CheckConstraint(
                condition=~Q(status="refunded") | Q(refunded_at__isnull=False),
                name="billing_payment_refunded_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="billing_payment_user_created"),
            models.Index(fields=["status", "created_at"], name="billing_payment_status_created"),
            models.Index(fields=["course", "status"], name="billing_payment_course_status"),
            # Revenue by day (admin dashboard) and the payments report filter on paid_at.
            models.Index(fields=["paid_at"], name="billing_payment_paid_at"),
            # The receipt sweep: owned payments whose receipt never went out.
            models.Index(
                fields=["paid_at"], condition=Q(receipt_sent_at__isnull=True), name="billing_payment_receipt_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.razorpay_order_id} ({self.status})"

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]


class WebhookEvent(UUIDModel):
    """A Razorpay webhook delivery, stored in the same transaction as its effect so replays are no-ops."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", "Applied"
        NO_CHANGE = "no_change", "No change"
        IGNORED = "ignored", "Ignored"
        # Not applicable yet (the gateway was unreachable, or it needs a capture we have not seen):
        # kept, applied by a redelivery or by reconciliation.
        PENDING = "pending", "Pending"
        REJECTED = "rejected", "Rejected (mismatch)"

    event_id = models.CharField(max_length=100, unique=True)
    event_type = models.CharField(max_length=64)
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["payment", "-received_at"], name="billing_webhook_payment"),
            models.Index(fields=["outcome", "received_at"], name="billing_webhook_outcome"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"
