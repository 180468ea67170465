from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
import requests
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from billing.models import Payment
from billing.tests.conftest import API, make_payment, payment_entity
from catalog.models import Enrollment

pytestmark = pytest.mark.django_db

REFUNDS = f"{API}/v1/refunds"


@pytest.fixture(autouse=True)
def _no_recent_refunds(request):
    # Every run also lists Razorpay's recent refunds; none unless a test says otherwise.
    if "rzp" in request.fixturenames:
        request.getfixturevalue("rzp").get(REFUNDS, json={"entity": "collection", "count": 0, "items": []})


def order_calls(rzp) -> list:
    """Razorpay calls other than the (always made) listing of recent refunds."""
    return [call for call in rzp.calls if not call.request.url.startswith(REFUNDS + "?")]


def age(payment, minutes):
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))
    payment.refresh_from_db()
    return payment


def run() -> str:
    out = StringIO()
    call_command("reconcile_payments", stdout=out)
    return out.getvalue()


def test_captured_payment_without_webhook_is_settled_once(student, paid_course, order, rzp):
    # given an order whose webhook never arrived, though Razorpay captured the payment
    age(order, 20)
    rzp.get(f"{API}/v1/orders/order_A1/payments", json={"items": [payment_entity(order)]})
    # when reconciliation runs twice
    first, second = run(), run()
    # then the payment is paid with one enrollment, and the second run changes nothing
    assert "paid=1" in first and "paid=0" in second
    order.refresh_from_db()
    assert order.status == "paid" and order.payment_id == "pay_1"
    assert Enrollment.objects.filter(user=student, course=paid_course, status="active").count() == 1
    assert len(order_calls(rzp)) == 1  # the paid order is no longer a candidate


def test_authorized_payment_is_captured_then_settled(order, rzp):
    age(order, 20)
    rzp.get(f"{API}/v1/orders/order_A1/payments", json={"items": [payment_entity(order, status="authorized")]})
    rzp.post(f"{API}/v1/payments/pay_1/capture", json=payment_entity(order))
    assert "paid=1" in run()
    order.refresh_from_db()
    assert order.status == "paid"


def test_abandoned_order_expires_as_failed(order, rzp):
    age(order, settings.BILLING_ORDER_REUSE_MINUTES + 5)
    failed = payment_entity(order, pay_id="pay_0", status="failed")
    rzp.get(f"{API}/v1/orders/order_A1/payments", json={"items": [failed]})
    assert "failed=1" in run()
    order.refresh_from_db()
    assert order.status == "failed" and order.failure_reason == "Card declined by bank"


def test_recent_orders_are_left_alone(order, rzp):
    age(order, 5)
    assert "unchanged=0" in run()
    assert not order_calls(rzp)


def test_order_still_open_within_reuse_window_is_unchanged(order, rzp):
    age(order, 20)
    rzp.get(f"{API}/v1/orders/order_A1/payments", json={"items": []})
    assert "unchanged=1" in run()
    order.refresh_from_db()
    assert order.status == "created"


def test_pending_refund_is_settled(student, paid_course, rzp):
    from model_bakery import baker

    payment = make_payment(
        student,
        paid_course,
        status="refund_pending",
        payment_id="pay_9",
        refund_id="rfnd_1",
        razorpay_order_id="o9",
        refund_requested_at=timezone.now() - timedelta(hours=1),
    )
    baker.make("catalog.Enrollment", user=student, course=paid_course, source="payment")
    rzp.get(
        f"{API}/v1/refunds/rfnd_1",
        json={"id": "rfnd_1", "payment_id": "pay_9", "amount": payment.amount, "status": "processed"},
    )
    assert "refund_settled=1" in run()
    payment.refresh_from_db()
    assert payment.status == "refunded" and Enrollment.objects.get().status == "revoked"


def test_gateway_down_postpones_and_continues(student, other_student, paid_course, rzp):
    broken = age(make_payment(student, paid_course, razorpay_order_id="order_B", receipt="rb"), 20)
    fine = age(make_payment(other_student, paid_course, razorpay_order_id="order_C", receipt="rc"), 19)
    rzp.get(f"{API}/v1/orders/order_B/payments", body=requests.exceptions.ReadTimeout("slow"))
    rzp.get(f"{API}/v1/orders/order_C/payments", json={"items": [payment_entity(fine)]})
    output = run()
    assert "paid=1" in output and "errors=1" in output
    broken.refresh_from_db()
    assert broken.status == "created"


def test_beat_schedule_runs_the_task(rzp):
    from billing.tasks import payments_reconcile

    entry = settings.CELERY_BEAT_SCHEDULE["billing-reconcile-payments"]
    assert entry["task"] == payments_reconcile.name == "billing.tasks.payments_reconcile"
    assert set(payments_reconcile().values()) == {0}


def test_duplicate_payment_whose_refund_failed_is_refunded(student, paid_course, rzp):
    # given a duplicate capture whose automatic refund hit a gateway outage an hour ago
    make_payment(student, paid_course, status="paid", payment_id="pay_0", razorpay_order_id="o0", receipt="r0")
    duplicate = make_payment(
        student,
        paid_course,
        status="failed",
        payment_id="pay_2",
        razorpay_order_id="o2",
        receipt="r2",
        failure_reason="Duplicate payment for a course already bought.",
        failed_at=timezone.now() - timedelta(hours=1),
    )
    rzp.post(f"{API}/v1/payments/pay_2/refund", json={"id": "rfnd_dup", "amount": 49900, "status": "pending"})
    # when reconciliation runs twice
    first, second = run(), run()
    # then the money is refunded once
    assert "duplicate_refunded=1" in first and "duplicate_refunded=0" in second
    duplicate.refresh_from_db()
    assert duplicate.refund_id == "rfnd_dup" and len(order_calls(rzp)) == 1
