"""Shapes of the billing API (validation of shapes only; the rules live in services)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from billing.models import Payment
from catalog.models import Course
from common.serializers import PrimaryKeyRelatedField


class OrderCreateInputSerializer(serializers.Serializer):
    course = PrimaryKeyRelatedField(
        queryset=Course.objects.published(),
        error_messages={"does_not_exist": "This course is not on sale: it does not exist or is no longer published."},
    )


class PrefillSerializer(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.EmailField()


class PaymentCourseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Course
        fields = ["id", "title", "slug"]


class OrderSerializer(serializers.Serializer):
    """Everything Razorpay Checkout needs to open the payment form."""

    payment = serializers.UUIDField(source="id", help_text="Our payment id.")
    order_id = serializers.CharField(source="razorpay_order_id")
    amount = serializers.IntegerField(help_text="In paise.")
    currency = serializers.CharField()
    key_id = serializers.SerializerMethodField()
    course = PaymentCourseSerializer()
    name = serializers.SerializerMethodField(help_text="Merchant name to show in Checkout.")
    description = serializers.CharField(source="course.title")
    prefill = serializers.SerializerMethodField()

    def get_key_id(self, obj) -> str:
        return settings.RAZORPAY_KEY_ID

    def get_name(self, obj) -> str:
        return settings.ACADEMY_NAME

    @extend_schema_field(PrefillSerializer)
    def get_prefill(self, obj) -> dict[str, str]:
        return {"name": obj.user.full_name, "email": obj.user.email}


class VerifyInputSerializer(serializers.Serializer):
    razorpay_order_id = serializers.CharField(max_length=64)
    razorpay_payment_id = serializers.CharField(max_length=64)
    razorpay_signature = serializers.CharField(max_length=128)


class PaymentSerializer(serializers.ModelSerializer):
    course = PaymentCourseSerializer(read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "course",
            "amount",
            "currency",
            "status",
            "razorpay_order_id",
            "payment_id",
            "created_at",
            "paid_at",
            "refunded_at",
        ]
        read_only_fields = fields


class UserBriefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    full_name = serializers.CharField()


class AdminPaymentSerializer(PaymentSerializer):
    user = UserBriefSerializer(read_only=True)

    class Meta(PaymentSerializer.Meta):
        fields = [
            *PaymentSerializer.Meta.fields,
            "user",
            "receipt",
            "failure_reason",
            "refund_id",
            "failed_at",
            "refund_requested_at",
            "updated_at",
        ]
        read_only_fields = fields


class RefundInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class WebhookAckSerializer(serializers.Serializer):
    status = serializers.CharField(
        help_text="applied, no_change, ignored, rejected, duplicate, or pending (kept, applied later)."
    )
