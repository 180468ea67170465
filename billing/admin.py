"""Django admin for payments: read-only records, plus the refund action (the same service as the API)."""

from __future__ import annotations

from django.contrib import admin, messages

from billing import services
from billing.models import Payment, WebhookEvent
from common.exceptions import ApplicationError


class WebhookEventInline(admin.TabularInline):
    model = WebhookEvent
    fields = ["event_type", "event_id", "outcome", "received_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    # Money records change only through the services (verify, webhooks, refunds), never by hand.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["razorpay_order_id", "user", "course", "amount", "currency", "status", "created_at", "paid_at"]
    list_filter = ["status", "currency", "created_at"]
    search_fields = ["razorpay_order_id", "payment_id", "receipt", "refund_id", "user__email", "course__title"]
    list_select_related = ["user", "course"]
    date_hierarchy = "created_at"
    inlines = [WebhookEventInline]
    actions = ["refund_payments"]

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
