"""Payments for paid courses (one Razorpay order each), the webhook events already applied, coupons and their
redemptions, the learner's billing details (GST), and tax invoices and credit notes."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from billing.tax import STATE_CHOICES
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
    # The quote the order was opened with (paise): list price, coupon discount and the GST parts of ``amount``.
    list_price = models.PositiveIntegerField(default=0, help_text="In paise, before the discount.")
    discount = models.PositiveIntegerField(default=0, help_text="In paise.")
    taxable_value = models.PositiveIntegerField(default=0, help_text="In paise.")
    cgst = models.PositiveIntegerField(default=0, help_text="In paise.")
    sgst = models.PositiveIntegerField(default=0, help_text="In paise.")
    igst = models.PositiveIntegerField(default=0, help_text="In paise.")

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


class BillingDetails(TimeStampedModel):
    """Who the learner buys as: the name and state on their tax invoices, and a GSTIN for a business purchase."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="billing_details")
    name = models.CharField(max_length=150, blank=True)
    state = models.CharField(max_length=2, choices=STATE_CHOICES, blank=True, help_text="GST state code.")
    gstin = models.CharField(max_length=15, blank=True, verbose_name="GSTIN")

    class Meta:
        verbose_name_plural = "billing details"

    def __str__(self) -> str:
        return f"{self.name or self.user_id} ({self.state or '-'})"


class Coupon(TimeStampedModel):
    """A discount code: percent or a fixed amount off, sitewide, for listed courses or for a domain."""

    class DiscountType(models.TextChoices):
        PERCENT = "percent", "Percent off"
        AMOUNT = "amount", "Amount off (rupees)"

    code = models.CharField(max_length=32, unique=True, help_text="Stored in capitals; matched case-insensitively.")
    discount_type = models.CharField(max_length=10, choices=DiscountType.choices)
    value = models.DecimalField(max_digits=8, decimal_places=2, help_text="Percent, or rupees off.")
    # Empty (and no domain): every course.
    courses = models.ManyToManyField("catalog.Course", blank=True, related_name="coupons")
    domain = models.ForeignKey(
        "catalog.Domain", null=True, blank=True, on_delete=models.PROTECT, related_name="coupons"
    )
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True)
    max_redemptions = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: unlimited.")
    max_per_user = models.PositiveIntegerField(default=1)
    min_price = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, blank=True, help_text="Lowest course price (rupees) it applies to."
    )
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="coupons_created"
    )
    # Paid (and free-by-coupon) purchases with this code; kept by F() updates under the coupon's row lock.
    times_redeemed = models.PositiveIntegerField(default=0, editable=False)

    # What admins (and instructors, for their own courses) set; ``courses`` is set separately.
    EDITABLE_FIELDS = (
        "code",
        "discount_type",
        "value",
        "domain",
        "starts_at",
        "ends_at",
        "max_redemptions",
        "max_per_user",
        "min_price",
        "active",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="billing_coupon_value_positive"),
            models.CheckConstraint(
                condition=~Q(discount_type="percent") | Q(value__lte=100), name="billing_coupon_percent_max_100"
            ),
            models.CheckConstraint(
                condition=Q(discount_type__in=["percent", "amount"]), name="billing_coupon_discount_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="billing_coupon_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(max_per_user__gte=1), name="billing_coupon_max_per_user_positive"),
            models.CheckConstraint(
                condition=Q(max_redemptions__isnull=True) | Q(max_redemptions__gte=1),
                name="billing_coupon_max_redemptions_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class CouponRedemption(TimeStampedModel):
    """One use of a coupon: held while its order is open, redeemed when paid, released otherwise.

    A hold counts against the limits only while its order can still be paid (within
    ``BILLING_ORDER_REUSE_MINUTES``), so an abandoned order gives its use back by itself.
    """

    class Status(models.TextChoices):
        HELD = "held", "Held (order open)"
        REDEEMED = "redeemed", "Redeemed"
        RELEASED = "released", "Released"

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="redemptions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coupon_redemptions")
    course = models.ForeignKey("catalog.Course", on_delete=models.PROTECT, related_name="coupon_redemptions")
    # Empty for a course the code made free (no Razorpay order).
    payment = models.OneToOneField(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="coupon_redemption"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    discount = models.PositiveIntegerField(help_text="In paise.")
    redeemed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["held", "redeemed", "released"]), name="billing_redemption_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["coupon", "status", "created_at"], name="billing_redemption_coupon"),
            models.Index(fields=["coupon", "user", "status"], name="billing_redemption_coupon_user"),
        ]

    def __str__(self) -> str:
        return f"{self.coupon_id} {self.status}"


class TaxDocumentCounter(models.Model):
    """The last number of a series (invoices, credit notes) in a financial year; its row lock makes numbers
    gap-free (like certificate numbers)."""

    series = models.CharField(max_length=20)
    financial_year = models.CharField(max_length=7, help_text="e.g. 2026-27 (April to March).")
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "financial_year"], name="billing_taxdocumentcounter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.series}/{self.financial_year}: {self.last_number}"


def tax_document_file_path(instance: TaxDocument, filename: str) -> str:
    # A random suffix keeps stored files unguessable even on a public bucket, and changes on re-render.
    return f"tax-documents/{instance.financial_year}/{instance.number.replace('/', '-')}-{secrets.token_hex(8)}.pdf"


class TaxDocument(TimeStampedModel):
    """A GST tax invoice for a paid payment, or the credit note that cancels it after a full refund.

    Seller and buyer are copied at issue time, so a document never changes once issued (the PDF may be
    re-rendered from these columns). Amounts are paise; ``taxable_value + cgst + sgst + igst == total``.
    """

    class Kind(models.TextChoices):
        INVOICE = "invoice", "Tax invoice"
        CREDIT_NOTE = "credit_note", "Credit note"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="tax_documents")
    # A credit note names the invoice it cancels.
    invoice = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_note")
    number = models.CharField(max_length=32, unique=True, editable=False)
    financial_year = models.CharField(max_length=7)
    issued_at = models.DateTimeField()
    seller_name = models.CharField(max_length=200)
    seller_address = models.CharField(max_length=500, blank=True)
    seller_gstin = models.CharField(max_length=15, blank=True)
    seller_state = models.CharField(max_length=2)
    buyer_name = models.CharField(max_length=150)
    buyer_email = models.EmailField()
    buyer_state = models.CharField(max_length=2)
    buyer_gstin = models.CharField(max_length=15, blank=True)
    sac_code = models.CharField(max_length=10)
    description = models.CharField(max_length=300)
    gst_rate = models.DecimalField(max_digits=5, decimal_places=2)
    list_price = models.PositiveIntegerField()
    discount = models.PositiveIntegerField(default=0)
    taxable_value = models.PositiveIntegerField()
    cgst = models.PositiveIntegerField()
    sgst = models.PositiveIntegerField()
    igst = models.PositiveIntegerField()
    total = models.PositiveIntegerField()
    # Empty until the render task has stored the PDF.
    file = models.FileField(upload_to=tax_document_file_path, max_length=255, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["payment", "kind"], name="billing_taxdocument_one_per_payment_kind"),
            models.CheckConstraint(
                condition=Q(total=models.F("taxable_value") + models.F("cgst") + models.F("sgst") + models.F("igst")),
                name="billing_taxdocument_parts_add_up",
            ),
            models.CheckConstraint(
                condition=Q(kind="invoice", invoice__isnull=True) | Q(kind="credit_note", invoice__isnull=False),
                name="billing_taxdocument_credit_note_has_invoice",
            ),
        ]
        indexes = [models.Index(fields=["file", "created_at"], name="billing_taxdocument_render_due")]

    def __str__(self) -> str:
        return self.number

    @property
    def file_ready(self) -> bool:
        return bool(self.file)


class CourseCommission(TimeStampedModel):
    """An admin's override of the platform commission (``PLATFORM_COMMISSION_PERCENT``) for one course."""

    course = models.OneToOneField("catalog.Course", on_delete=models.CASCADE, related_name="commission")
    percent = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100), name="billing_coursecommission_percent_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.course_id}: {self.percent}%"


class EarningEntry(UUIDModel):
    """Append-only ledger of what instructors earn: one row when a sale settles, one (negative) when it is
    refunded, dated when it happened, so a refund after a payout lands in a later period.

    Paise, signed: ``gross == tax + commission + net`` (net of GST and the platform's commission).
    """

    class Kind(models.TextChoices):
        SALE = "sale", "Sale"
        REFUND = "refund", "Refund"

    instructor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="earnings")
    course = models.ForeignKey("catalog.Course", on_delete=models.PROTECT, related_name="earnings")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="earnings")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    gross = models.IntegerField(help_text="Amount paid (negative for a refund), paise.")
    tax = models.IntegerField(help_text="GST in it, paise.")
    commission = models.IntegerField(help_text="The platform's share of the taxable value, paise.")
    net = models.IntegerField(help_text="The instructor's earning, paise.")
    commission_percent = models.DecimalField(max_digits=5, decimal_places=2)
    coupon_code = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "earning entries"
        constraints = [
            models.UniqueConstraint(fields=["payment", "kind"], name="billing_earningentry_one_per_payment_kind"),
            models.CheckConstraint(
                condition=Q(gross=models.F("tax") + models.F("commission") + models.F("net")),
                name="billing_earningentry_parts_add_up",
            ),
        ]
        indexes = [models.Index(fields=["instructor", "created_at"], name="billing_earning_instructor")]

    def __str__(self) -> str:
        return f"{self.kind} {self.net} → {self.instructor_id}"


def payout_statement_file_path(instance: PayoutStatement, filename: str) -> str:
    # Random suffix: unguessable even on a public bucket, and new on every re-render (as tax documents).
    stem, extension = instance.number.replace("/", "-"), filename.rsplit(".", 1)[-1]
    return f"payout-statements/{instance.month:%Y-%m}/{stem}-{secrets.token_hex(8)}.{extension}"


class PayoutStatement(TimeStampedModel):
    """What the academy owes one instructor for one closed month, written once from the earnings ledger.

    It takes every ledger entry of the instructor created before the month ended and not on an earlier
    statement (``PayoutStatementLine``, unique per entry), so a late entry or a refund after a payout lands on
    the next statement. ``opening_balance`` is the previous statement's negative closing balance carried in
    (0 or less); ``payable = max(0, opening_balance + net)``. Amounts are paise and never change once issued.
    """

    class Status(models.TextChoices):
        ISSUED = "issued", "Issued"
        PAID = "paid", "Paid"

    instructor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payout_statements")
    month = models.DateField(help_text="The first day of the statement's month (TIME_ZONE).")
    number = models.CharField(max_length=32, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ISSUED)
    opening_balance = models.IntegerField(default=0, help_text="Negative balance carried in, paise (0 or less).")
    gross = models.IntegerField(default=0, help_text="Paise.")
    tax = models.IntegerField(default=0, help_text="Paise.")
    commission = models.IntegerField(default=0, help_text="Paise.")
    net = models.IntegerField(default=0, help_text="Paise: the month's entries, net of GST and commission.")
    payable = models.PositiveIntegerField(default=0, help_text="Paise: max(0, opening balance + net).")
    issued_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_reference = models.CharField(max_length=100, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Empty until the render task has stored them.
    file = models.FileField(upload_to=payout_statement_file_path, max_length=255, blank=True, help_text="PDF.")
    csv_file = models.FileField(upload_to=payout_statement_file_path, max_length=255, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month", "instructor_id"]
        constraints = [
            models.UniqueConstraint(fields=["instructor", "month"], name="billing_payoutstatement_one_per_month"),
            models.CheckConstraint(condition=Q(opening_balance__lte=0), name="billing_payoutstatement_opening_le_0"),
            models.CheckConstraint(
                condition=Q(gross=models.F("tax") + models.F("commission") + models.F("net")),
                name="billing_payoutstatement_parts_add_up",
            ),
            models.CheckConstraint(
                condition=Q(status="issued") | Q(status="paid", paid_at__isnull=False) & ~Q(paid_reference=""),
                name="billing_payoutstatement_paid_has_reference",
            ),
        ]
        indexes = [
            models.Index(fields=["instructor", "-month"], name="billing_payout_instructor"),
            models.Index(fields=["file", "created_at"], name="billing_payout_render_due"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def closing_balance(self) -> int:
        """``opening_balance + net``: carried into the next statement when negative."""
        return self.opening_balance + self.net

    @property
    def file_ready(self) -> bool:
        return bool(self.file) and bool(self.csv_file)


class PayoutStatementLine(models.Model):
    """A ledger entry on a statement: the unique ``entry`` puts each one on at most one statement."""

    statement = models.ForeignKey(PayoutStatement, on_delete=models.PROTECT, related_name="lines")
    entry = models.OneToOneField(EarningEntry, on_delete=models.PROTECT, related_name="statement_line")

    def __str__(self) -> str:
        return f"{self.statement_id}: {self.entry_id}"
