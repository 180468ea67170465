from __future__ import annotations

import django_filters

from billing.models import Coupon, Payment, PayoutStatement
from common.filters import BooleanFilter, FilterSet


class AdminPaymentFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=Payment.Status.choices)
    user = django_filters.UUIDFilter(field_name="user_id")
    course = django_filters.UUIDFilter(field_name="course_id")

    class Meta:
        model = Payment
        fields = ["status", "user", "course"]


class CouponFilter(FilterSet):
    active = BooleanFilter()
    discount_type = django_filters.ChoiceFilter(choices=Coupon.DiscountType.choices)

    class Meta:
        model = Coupon
        fields = ["active", "discount_type"]


class PayoutStatementFilter(FilterSet):
    """``?instructor=<uuid>`` (admins; an instructor only ever sees their own), ``?status=``, ``?month=YYYY-MM-01``."""

    instructor = django_filters.UUIDFilter(field_name="instructor_id")
    status = django_filters.ChoiceFilter(choices=PayoutStatement.Status.choices)
    month = django_filters.DateFilter(help_text="The month's first day, e.g. 2026-11-01.")

    class Meta:
        model = PayoutStatement
        fields = ["instructor", "status", "month"]
