"""Django admin for payments: read-only records, plus the refund action (the same service as the API)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import admin, messages
from django.utils import timezone

from billing import services
from billing.models import Payment, WebhookEvent
from common.admin import ReadOnlyAdmin, ReadOnlyInline
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
