"""Work queued after a purchase commits never fails the request, and upkeep recovers what a broker
outage lost (issue #15.12)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from billing.models import Payment
from billing.tasks import payment_receipt_send, payment_receipts_pending
from billing.tests.conftest import (
    API,
    celery_broker_unreachable,
    checkout_signature,
    event_body,
    make_payment,
    payment_entity,
    post_webhook,
)
from catalog.models import Enrollment

pytestmark = pytest.mark.django_db


def verify_body(order):
    return {
        "razorpay_order_id": order.razorpay_order_id,
        "razorpay_payment_id": "pay_1",
        "razorpay_signature": checkout_signature(order.razorpay_order_id, "pay_1"),
    }


def age_payment(payment, minutes: int) -> None:
    Payment.objects.filter(pk=payment.pk).update(paid_at=timezone.now() - timedelta(minutes=minutes))


def test_verify_with_the_broker_down_answers_200_and_the_sweep_sends_the_receipt_once(
    client_for, student, paid_course, order, rzp, broker_down, django_capture_on_commit_callbacks, caplog
):
    # given Razorpay captured the payment, and the Celery broker is unreachable
    rzp.get(f"{API}/v1/payments/pay_1", json=payment_entity(order))
    # when Checkout's success callback is verified (three times, as the frontend retries)
    responses = []
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            responses.append(client_for(student).post("/api/payments/verify/", verify_body(order), format="json"))
    # then each answer is the committed truth: paid and enrolled; the lost receipt is only logged
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert {r.json()["status"] for r in responses} == {"paid"}
    order.refresh_from_db()
    assert order.status == "paid" and order.receipt_sent_at is None
    assert Enrollment.objects.get(user=student, course=paid_course).status == "active"
    assert not mail.outbox
    assert "Could not queue billing.tasks.payment_receipt_send" in caplog.text


def test_a_receipt_lost_with_the_broker_is_sent_once_by_the_sweep(student, paid_course, order):
    # given a purchase settled while the broker was down: the receipt was never queued
    from billing.services import payment_settle_captured

    with celery_broker_unreachable():
        payment_settle_captured(payment=order, razorpay_payment=payment_entity(order))
    order.refresh_from_db()
    assert order.status == "paid" and order.receipt_sent_at is None and not mail.outbox
    # and another purchase whose receipt did go out
    sent = make_payment(
        student,
        paid_course,
        status="refunded",
        payment_id="pay_s",
        razorpay_order_id="o_s",
        receipt="rs",
        receipt_sent_at=timezone.now(),
    )
    age_payment(order, 20)
    age_payment(sent, 20)
    # when, the broker back, the upkeep sweep runs twice (and the queued send is redelivered, as a
    # broker may)
    assert payment_receipts_pending() == 1
    assert payment_receipts_pending() == 0
    assert payment_receipt_send(str(order.pk)) is False
    # then exactly one receipt went out, for the lost one, and it is marked
    assert len(mail.outbox) == 1 and "Payment received" in mail.outbox[0].subject
    assert mail.outbox[0].to == [student.email]
    order.refresh_from_db()
    assert order.receipt_sent_at is not None


def test_recent_and_refunded_payments_are_not_swept(student, paid_course):
    recent = make_payment(student, paid_course, status="paid", payment_id="pay_r", razorpay_order_id="o_r", receipt="r")
    refunded = make_payment(
        student, paid_course, status="refunded", payment_id="pay_x", razorpay_order_id="o_x", receipt="x"
    )
    age_payment(refunded, 60)
    assert payment_receipts_pending() == 0
    assert not mail.outbox
    recent.refresh_from_db()
    assert recent.receipt_sent_at is None  # its queued send may still be on its way


def test_a_failed_mail_leaves_the_receipt_due(student, paid_course, settings):
    # given the mail server refuses the receipt
    settings.EMAIL_BACKEND = "billing.tests.test_lost_work.RefusingBackend"
    payment = make_payment(
        student, paid_course, status="paid", payment_id="pay_m", razorpay_order_id="o_m", receipt="m"
    )
    with pytest.raises(ConnectionRefusedError):
        payment_receipt_send(str(payment.pk))
    # then it is not marked sent, so the sweep tries again
    payment.refresh_from_db()
    assert payment.receipt_sent_at is None


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP down")


def test_webhook_capture_with_the_broker_down_is_applied(
    student, order, broker_down, django_capture_on_commit_callbacks
):
    from rest_framework.test import APIClient

    with django_capture_on_commit_callbacks(execute=True):
        body = event_body("payment.captured", payment=payment_entity(order))
        response = post_webhook(APIClient(), body, event_id="e")
    assert response.status_code == 200 and response.json() == {"status": "applied"}
    order.refresh_from_db()
    assert order.status == "paid"


def test_duplicate_capture_with_the_broker_down_is_left_to_reconciliation(
    student, paid_course, order, broker_down, django_capture_on_commit_callbacks
):
    from billing.services import payment_settle_captured

    make_payment(student, paid_course, status="paid", payment_id="pay_0", razorpay_order_id="o0", receipt="r0")
    with django_capture_on_commit_callbacks(execute=True):
        assert payment_settle_captured(payment=order, razorpay_payment=payment_entity(order, pay_id="pay_2"))
    order.refresh_from_db()
    # failed, with no refund yet: exactly what payments_reconcile picks up (see test_reconcile)
    assert order.status == "failed" and order.refund_id == "" and order.payment_id == "pay_2"
