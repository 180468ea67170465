"""Django admin for payments: read-only records, plus the refund action (the same service as the API)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.utils import timezone

from billing import services
from billing.models import (
    BillingDetails,
    Coupon,
    CouponRedemption,
    CourseCommission,
    EarningEntry,
    Payment,
    PayoutStatement,
    PayoutStatementLine,
    TaxDocument,
    WebhookEvent,
)
from billing.tasks import payout_statement_render, tax_document_render
from common.admin import ReadOnlyAdmin, ReadOnlyInline, ServiceRefusalsAsMessages
from common.background import enqueue_on_commit
from common.exceptions import ApplicationError
from common.money import paise_format


class WebhookEventInline(ReadOnlyInline):
    model = WebhookEvent
    fields = ["event_type", "event_id", "outcome", "received_at"]
    readonly_fields = fields
    show_change_link = True


def stuck_created_cutoff():
    """Orders still ``created`` before this moment should have been settled by the reconciler."""
    return timezone.now() - timedelta(minutes=settings.BILLING_RECONCILE_AFTER_MINUTES)


class StuckFilter(admin.SimpleListFilter):
    title = "needs attention"
    parameter_name = "stuck"

    def lookups(self, request, model_admin):
        return [("created", "Stuck in “created” past the reconcile window")]

    def queryset(self, request, queryset):
        if self.value() == "created":
            return queryset.filter(status=Payment.Status.CREATED, created_at__lt=stuck_created_cutoff())
        return queryset


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    # Money records change only through the services (verify, webhooks, refunds), never by hand.
    list_display = ["razorpay_order_id", "user", "course", "amount_display", "status", "created_at", "paid_at"]
    list_filter = [StuckFilter, "status", "currency", "created_at"]
    search_fields = [
        "razorpay_order_id",
        "payment_id",
        "receipt",
        "refund_id",
        "user__email",
        "user__full_name",
        "course__title",
    ]
    list_select_related = ["user", "course"]
    date_hierarchy = "created_at"
    inlines = [WebhookEventInline]
    actions = ["refund_payments"]

    @admin.display(description="amount", ordering="amount")
    def amount_display(self, payment: Payment) -> str:
        # Stored in paise; support staff talk in rupees.
        return paise_format(payment.amount, currency=payment.currency)

    @admin.action(description="Refund selected payments in full (Razorpay)")
    def refund_payments(self, request, queryset):
        refunded = 0
        for payment in queryset.select_related("user", "course"):
            try:
                services.payment_refund(payment=payment, actor=request.user, reason="Django admin")
            except ApplicationError as exc:
                self.message_user(request, f"{payment}: {exc.message}", level=messages.ERROR)
            else:
                refunded += 1
        if refunded:
            self.message_user(request, f"Refund requested for {refunded} payment(s).", level=messages.SUCCESS)


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["event_type", "event_id", "outcome", "payment", "received_at"]
    list_filter = ["event_type", "outcome"]
    search_fields = ["event_id", "payment__razorpay_order_id"]
    list_select_related = ["payment"]


class CouponRedemptionInline(ReadOnlyInline):
    model = CouponRedemption
    fields = ["user", "course", "payment", "status", "discount_display", "created_at", "redeemed_at"]
    readonly_fields = fields

    @admin.display(description="discount")
    def discount_display(self, redemption: CouponRedemption) -> str:
        return paise_format(redemption.discount)


class CouponAdminForm(forms.ModelForm):
    class Meta:
        model = Coupon
        fields = [*services.COUPON_FIELDS, "courses"]

    def clean_code(self) -> str:
        # Stored in capitals, so the unique check sees "save20" and "SAVE20" as the same code.
        return self.cleaned_data["code"].strip().upper()


@admin.register(Coupon)
class CouponAdmin(ServiceRefusalsAsMessages):
    """Codes are written through the same services as the API (audited; redemption counts are never typed in).
    Redemptions and revenue per code: the ``coupons`` report (``/api/admin/reports/coupons/``)."""

    form = CouponAdminForm
    list_display = ["code", "discount_type", "value", "active", "starts_at", "ends_at", "times_redeemed", "created_by"]
    list_filter = ["active", "discount_type"]
    search_fields = ["code"]
    list_select_related = ["created_by"]
    autocomplete_fields = ["courses"]
    readonly_fields = ["times_redeemed", "created_by"]
    inlines = [CouponRedemptionInline]

    def save_model(self, request, obj, form, change):
        data = dict(form.cleaned_data)
        if change:
            saved = services.coupon_update(actor=request.user, coupon=obj, data=data)
        else:
            saved = services.coupon_create(actor=request.user, data=data)
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        # The service has set the courses; only the (read-only) inlines remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        services.coupon_delete(actor=request.user, coupon=obj)

    def delete_queryset(self, request, queryset):
        for coupon in queryset:
            services.coupon_delete(actor=request.user, coupon=coupon)


@admin.register(BillingDetails)
class BillingDetailsAdmin(ReadOnlyAdmin):
    list_display = ["user", "name", "state", "gstin", "updated_at"]
    list_filter = ["state"]
    search_fields = ["user__email", "name", "gstin"]
    list_select_related = ["user"]


@admin.register(TaxDocument)
class TaxDocumentAdmin(ReadOnlyAdmin):
    """Invoices and credit notes are issued by settlement and refunds only; staff may re-render a PDF."""

    list_display = ["number", "kind", "buyer_name", "buyer_state", "total_display", "issued_at", "file_ready"]
    list_filter = ["kind", "financial_year", "buyer_state"]
    search_fields = ["number", "buyer_name", "buyer_email", "buyer_gstin", "payment__razorpay_order_id"]
    list_select_related = ["payment"]
    date_hierarchy = "issued_at"
    actions = ["render_again"]

    @admin.display(description="total", ordering="total")
    def total_display(self, document: TaxDocument) -> str:
        return paise_format(document.total)

    @admin.display(boolean=True, description="PDF")
    def file_ready(self, document: TaxDocument) -> bool:
        return document.file_ready

    @admin.action(description="Render the PDF again")
    def render_again(self, request, queryset):
        for document in queryset:
            enqueue_on_commit(tax_document_render, str(document.pk))
        self.message_user(request, f"Queued {queryset.count()} PDF(s).", level=messages.SUCCESS)


@admin.register(CourseCommission)
class CourseCommissionAdmin(admin.ModelAdmin):
    """Per-course overrides of ``PLATFORM_COMMISSION_PERCENT``; they apply to sales settled afterwards."""

    list_display = ["course", "percent", "updated_at"]
    search_fields = ["course__title"]
    autocomplete_fields = ["course"]
    list_select_related = ["course"]


@admin.register(EarningEntry)
class EarningEntryAdmin(ReadOnlyAdmin):
    """The append-only earnings ledger: written by settlements and refunds only."""

    list_display = ["created_at", "instructor", "course", "kind", "gross", "tax", "commission", "net", "coupon_code"]
    list_filter = ["kind"]
    search_fields = ["instructor__email", "course__title", "payment__razorpay_order_id", "coupon_code"]
    list_select_related = ["instructor", "course"]
    date_hierarchy = "created_at"


def _entry_paise(name: str, label: str):
    """An inline column showing the line's ledger amount ``name`` in rupees."""

    @admin.display(description=label)
    def column(self, line: PayoutStatementLine) -> str:
        return paise_format(getattr(line.entry, name))

    return column


class PayoutStatementLineInline(ReadOnlyInline):
    model = PayoutStatementLine
    fields = ["entry", "kind", "course", "gross", "tax", "commission", "net"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("entry__course", "entry__payment")

    @admin.display(description="kind")
    def kind(self, line: PayoutStatementLine) -> str:
        return line.entry.get_kind_display()

    @admin.display(description="course")
    def course(self, line: PayoutStatementLine) -> str:
        return line.entry.course.title

    gross = _entry_paise("gross", "gross")
    tax = _entry_paise("tax", "GST")
    commission = _entry_paise("commission", "commission")
    net = _entry_paise("net", "net")


class MonthFilter(admin.SimpleListFilter):
    title = "month"
    parameter_name = "month"

    def lookups(self, request, model_admin):
        months = PayoutStatement.objects.order_by("-month").values_list("month", flat=True).distinct()[:36]
        return [(f"{month:%Y-%m-%d}", f"{month:%B %Y}") for month in months]

    def queryset(self, request, queryset):
        return queryset.filter(month=self.value()) if self.value() else queryset


class MarkPaidForm(ActionForm):
    reference = forms.CharField(required=False, max_length=100, help_text="Bank transfer reference (for “Mark paid”).")


@admin.register(PayoutStatement)
class PayoutStatementAdmin(ReadOnlyAdmin):
    """Statements are written by ``payout_statements`` only; admins mark them paid with a reference (audited,
    once) through the same service the API would use."""

    list_display = ["number", "instructor", "month", "status", "net_display", "payable_display", "paid_reference"]
    list_filter = [MonthFilter, "status", ("instructor", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["number", "instructor__email", "instructor__full_name", "paid_reference"]
    list_select_related = ["instructor"]
    inlines = [PayoutStatementLineInline]
    action_form = MarkPaidForm
    actions = ["mark_paid", "render_again"]

    @admin.display(description="net", ordering="net")
    def net_display(self, statement: PayoutStatement) -> str:
        return paise_format(statement.net)

    @admin.display(description="payable", ordering="payable")
    def payable_display(self, statement: PayoutStatement) -> str:
        return paise_format(statement.payable)

    @admin.action(description="Mark paid (enter the transfer reference above)")
    def mark_paid(self, request, queryset):
        reference = request.POST.get("reference", "")
        paid = 0
        for statement in queryset:
            try:
                services.payout_statement_mark_paid(statement=statement, actor=request.user, reference=reference)
            except ApplicationError as exc:
                self.message_user(request, f"{statement}: {exc.message}", level=messages.ERROR)
            else:
                paid += 1
        if paid:
            self.message_user(request, f"Marked {paid} statement(s) paid.", level=messages.SUCCESS)

    @admin.action(description="Render the PDF and CSV again")
    def render_again(self, request, queryset):
        for statement in queryset:
            enqueue_on_commit(payout_statement_render, str(statement.pk))
        self.message_user(request, f"Queued {queryset.count()} statement(s).", level=messages.SUCCESS)
