"""The instructors' earnings ledger: one entry per settled sale, one negative entry per refund."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from model_bakery import baker

from billing.models import CourseCommission, EarningEntry
from billing.services import payment_settle_captured, payment_settle_refund
from billing.tests.conftest import make_payment, payment_entity
from billing.tests.test_api_quote import make_coupon

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]
IST = ZoneInfo("Asia/Kolkata")


def _settle(payment):
    payment_settle_captured(payment=payment, razorpay_payment=payment_entity(payment))
    payment.refresh_from_db()
    return payment


def test_a_sale_earns_the_taxable_value_less_the_default_commission(student, instructor, paid_course):
    payment = _settle(make_payment(student, paid_course, razorpay_order_id="order_1", receipt="dca_1"))
    entry = EarningEntry.objects.get()
    # ₹499 paid = ₹422.88 taxable + ₹76.12 GST; 30 % of ₹422.88 = ₹126.86 to the platform
    assert (entry.instructor, entry.course, entry.payment, entry.kind) == (instructor, paid_course, payment, "sale")
    assert (entry.gross, entry.tax, entry.commission, entry.net) == (49900, 7612, 12686, 29602)
    assert entry.commission_percent == Decimal("30")
    # a repeated capture records nothing more
    payment_settle_captured(payment=payment, razorpay_payment=payment_entity(payment))
    assert EarningEntry.objects.count() == 1


def test_a_course_override_and_a_coupon_are_reflected(client_for, student, paid_course, rzp, settings):
    from billing.tests.conftest import API

    baker.make(CourseCommission, course=paid_course, percent=Decimal("10"))
    make_coupon("SAVE20")
    rzp.post(f"{API}/v1/orders", json={"id": "order_C", "amount": 39920, "currency": "INR", "status": "created"})
    client_for(student).post("/api/payments/order/", {"course": str(paid_course.pk), "coupon": "SAVE20"}, format="json")
    from billing.models import Payment

    _settle(Payment.objects.get())
    entry = EarningEntry.objects.get()
    assert (entry.gross, entry.coupon_code, entry.commission_percent) == (39920, "SAVE20", Decimal("10"))
    assert entry.gross == entry.tax + entry.commission + entry.net
    assert entry.commission == round((entry.gross - entry.tax) * 0.10)


def test_a_refund_after_the_month_is_carried_into_the_next_period(student, paid_course):
    with time_machine.travel(datetime.datetime(2026, 11, 20, 12, tzinfo=IST), tick=False):
        payment = _settle(make_payment(student, paid_course, razorpay_order_id="order_1", receipt="dca_1"))
    with time_machine.travel(datetime.datetime(2026, 12, 3, 12, tzinfo=IST), tick=False):
        refund = {"id": "rfnd_1", "payment_id": "pay_1", "amount": 49900, "status": "processed"}
        payment_settle_refund(payment=payment, refund=refund)
        payment_settle_refund(payment=payment, refund=refund)  # a replay takes nothing more back
    sale, refunded = EarningEntry.objects.order_by("created_at")
    assert (sale.kind, sale.created_at.astimezone(IST).month) == ("sale", 11)
    assert (refunded.kind, refunded.created_at.astimezone(IST).month) == ("refund", 12)
    assert (refunded.gross, refunded.tax, refunded.commission, refunded.net) == (-49900, -7612, -12686, -29602)
    assert sum(e.net for e in EarningEntry.objects.all()) == 0
