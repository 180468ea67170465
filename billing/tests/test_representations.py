"""``GET /api/payments/history/``'s flat rows write exactly the bytes of ``PaymentSerializer``."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import override_settings
from model_bakery import baker
from rest_framework.renderers import JSONRenderer

from billing.representations import payment_representation
from billing.selectors import payment_rows_for_user, payments_for_user
from billing.serializers import PaymentSerializer
from billing.tests.conftest import make_payment

pytestmark = pytest.mark.django_db

AT = datetime.datetime(2026, 11, 2, 10, 15, 30, 123456, tzinfo=datetime.UTC)


@pytest.mark.parametrize("time_zone", ["Asia/Kolkata", "UTC"])
def test_payment_rows_render_as_the_serializer_does(time_zone, student, instructor):
    # Given payments in every state the history shows: created (never paid), paid, refunded and failed
    for number, status in enumerate(["created", "paid", "refunded", "failed"]):
        course = baker.make(
            "catalog.Course", instructor=instructor, price=Decimal("499.00"), title=f"Café “{status}”", slug=status
        )
        make_payment(
            student,
            course,
            status=status,
            payment_id="" if status == "created" else f"pay_{number}",
            razorpay_order_id=f"order_{number}",
            created_at=AT + datetime.timedelta(minutes=number),
        )

    with override_settings(TIME_ZONE=time_zone):
        # When the rows are shaped by the function and the instances by the serializer
        fast = [payment_representation(row) for row in payment_rows_for_user(user=student)]
        slow = PaymentSerializer(payments_for_user(user=student), many=True).data

        # Then the JSON is byte-identical (order included), and every shape was covered
        assert JSONRenderer().render(fast) == JSONRenderer().render(slow)
    assert [item["status"] for item in fast] == ["failed", "refunded", "paid", "created"]
    assert {item["paid_at"] is None for item in fast} == {True, False}
