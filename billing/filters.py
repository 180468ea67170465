from __future__ import annotations

import django_filters

from billing.models import Payment
from common.filters import FilterSet


class AdminPaymentFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=Payment.Status.choices)
    user = django_filters.UUIDFilter(field_name="user_id")
    course = django_filters.UUIDFilter(field_name="course_id")

    class Meta:
        model = Payment
        fields = ["status", "user", "course"]
