"""Shapes of the billing API (validation of shapes only; the rules live in services)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from billing.models import BillingDetails, Coupon, EarningEntry, Payment, PayoutStatement
from billing.tax import STATE_CHOICES, gstin_problem
from catalog.models import Course, Domain
from common.serializers import PrimaryKeyRelatedField


class PaymentCourseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Course
        fields = ["id", "title", "slug"]


class OrderCreateInputSerializer(serializers.Serializer):
    course = PrimaryKeyRelatedField(
        queryset=Course.objects.published(),
        error_messages={"does_not_exist": "This course is not on sale: it does not exist or is no longer published."},
    )
    coupon = serializers.CharField(
        max_length=32, required=False, allow_blank=True, default="", help_text="A discount code (optional)."
    )


class QuoteSerializer(serializers.Serializer):
    """The price of a course for the signed-in learner, in paise: list_price − discount = amount_payable
    (prices include GST), and the GST parts of amount_payable."""

    course = serializers.UUIDField(source="course.pk")
    coupon = serializers.CharField(source="coupon.code", allow_null=True, default=None)
    list_price = serializers.IntegerField()
    discount = serializers.IntegerField()
    taxable_value = serializers.IntegerField(source="split.taxable_value")
    cgst = serializers.IntegerField(source="split.cgst")
    sgst = serializers.IntegerField(source="split.sgst")
    igst = serializers.IntegerField(source="split.igst")
    amount_payable = serializers.IntegerField()
    currency = serializers.CharField()
    gst_rate = serializers.SerializerMethodField(help_text="Percent.")
    buyer_state = serializers.CharField(help_text="GST state code the tax was computed for.")

    def get_gst_rate(self, obj) -> str:
        return str(settings.GST_RATE)


class CouponEnrollmentSerializer(serializers.Serializer):
    """A coupon made the course free: the learner is enrolled, no Razorpay order was opened."""

    enrolled = serializers.BooleanField(default=True)
    amount = serializers.IntegerField(default=0, help_text="In paise: nothing to pay.")
    currency = serializers.CharField(default="INR")
    course = PaymentCourseSerializer()
    coupon = serializers.CharField()


class BillingDetailsSerializer(serializers.ModelSerializer):
    name = serializers.CharField(max_length=150, allow_blank=True, default="")
    state = serializers.ChoiceField(choices=STATE_CHOICES, allow_blank=True, default="", help_text="GST state code.")
    gstin = serializers.CharField(
        max_length=15, allow_blank=True, default="", help_text="For a business purchase (checked with its checksum)."
    )

    class Meta:
        model = BillingDetails
        fields = ["name", "state", "gstin"]

    def validate_gstin(self, value: str) -> str:
        value = value.strip().upper()
        problem = gstin_problem(value) if value else None
        if problem:
            raise serializers.ValidationError(problem)
        return value

    def validate(self, attrs):
        gstin, state = attrs.get("gstin", ""), attrs.get("state", "")
        if gstin and not state:
            attrs["state"] = gstin[:2]
        elif gstin and gstin[:2] != state:
            raise serializers.ValidationError(
                {"gstin": ["The GSTIN is registered in another state than the one given."]}
            )
        return attrs


class CouponSerializer(serializers.ModelSerializer):
    """A discount code. ``value`` is a percent, or rupees off as a decimal string; ``courses`` empty = all."""

    code = serializers.RegexField(
        r"^[A-Za-z0-9_-]{3,32}$", max_length=32, help_text="3–32 letters, digits, - or _ (stored in capitals)."
    )
    value = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=Decimal("0.01"))
    min_price = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=Decimal("0"), required=False, allow_null=True
    )
    courses = PrimaryKeyRelatedField(queryset=Course.objects.all(), many=True, required=False)
    domain = PrimaryKeyRelatedField(queryset=Domain.objects.all(), required=False, allow_null=True)
    max_redemptions = serializers.IntegerField(min_value=1, max_value=10_000_000, required=False, allow_null=True)
    max_per_user = serializers.IntegerField(min_value=1, max_value=1000, required=False)

    class Meta:
        model = Coupon
        fields = ["id", *Coupon.EDITABLE_FIELDS, "courses", "times_redeemed", "created_at"]
        read_only_fields = ["id", "times_redeemed", "created_at"]


class PrefillSerializer(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.EmailField()


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


class DashboardCourseSerializer(serializers.Serializer):
    """One course of the instructor dashboard. Money in paise (from the earnings ledger, refunds negative)."""

    id = serializers.UUIDField()
    title = serializers.CharField()
    status = serializers.CharField()
    learners = serializers.IntegerField(source="learner_count", help_text="Active enrollments.")
    active_30d = serializers.IntegerField(help_text="Learners who completed a lesson in the last 30 days.")
    completion_rate = serializers.SerializerMethodField(help_text="Percent of enrollments completed.")
    average_quiz_score = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, help_text="Mean percentage of all quiz attempts."
    )
    rating = serializers.SerializerMethodField(help_text="Average review rating, 1–5 (null without reviews).")
    revenue = serializers.IntegerField(help_text="Amount paid for the course, paise.")
    refunds = serializers.IntegerField(help_text="Amount refunded (negative), paise.")
    net_earnings = serializers.IntegerField(help_text="After GST, commission and refunds, paise.")

    def get_completion_rate(self, obj) -> float:
        if not obj.enrollments_total:
            return 0.0
        return round(100 * obj.enrollments_completed / obj.enrollments_total, 1)

    def get_rating(self, obj) -> float | None:
        return float(obj.rating_average) if obj.rating_count else None


class PayoutStatementSerializer(serializers.ModelSerializer):
    """A monthly payout statement. Paise; ``payable = max(0, opening_balance + net)``, and a negative
    ``closing_balance`` is carried into the next statement's ``opening_balance``."""

    instructor_name = serializers.SerializerMethodField()
    month = serializers.DateField(help_text="The month's first day (TIME_ZONE).")
    closing_balance = serializers.IntegerField(help_text="opening_balance + net, paise; carried forward when negative.")
    file_ready = serializers.BooleanField(help_text="The PDF and CSV are rendered (downloads answer 409 until then).")

    class Meta:
        model = PayoutStatement
        fields = [
            "id",
            "number",
            "instructor",
            "instructor_name",
            "month",
            "status",
            "opening_balance",
            "gross",
            "tax",
            "commission",
            "net",
            "payable",
            "closing_balance",
            "issued_at",
            "paid_at",
            "paid_reference",
            "file_ready",
        ]
        read_only_fields = fields

    def get_instructor_name(self, obj) -> str:
        return obj.instructor.full_name or obj.instructor.email


class PayoutStatementLineSerializer(serializers.ModelSerializer):
    """One ledger entry on a statement (a sale, or a refund with negative amounts)."""

    course = PaymentCourseSerializer()
    payment_id = serializers.CharField(source="payment.payment_id", help_text="Razorpay payment id.")
    receipt = serializers.CharField(source="payment.receipt")

    class Meta:
        model = EarningEntry
        fields = [
            "id",
            "created_at",
            "course",
            "payment_id",
            "receipt",
            "kind",
            "gross",
            "tax",
            "commission",
            "net",
            "commission_percent",
            "coupon_code",
        ]
        read_only_fields = fields


class PayoutStatementDetailSerializer(PayoutStatementSerializer):
    lines = PayoutStatementLineSerializer(many=True, source="entries")

    class Meta(PayoutStatementSerializer.Meta):
        fields = [*PayoutStatementSerializer.Meta.fields, "lines"]
        read_only_fields = fields
