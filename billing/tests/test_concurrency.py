"""Verify and webhooks racing for one payment, on real PostgreSQL with real threads."""

from __future__ import annotations

import pytest
from django.core import mail
from rest_framework.test import APIClient

from billing.models import Payment, WebhookEvent
from billing.tests.conftest import API, checkout_signature, event_body, payment_entity, post_webhook
from catalog.models import Course, Enrollment
from tests.support.concurrency import returned, run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_concurrent_deliveries_give_one_payment_and_one_enrollment(student, order, rzp):
    # given Razorpay reports the payment captured to anyone who asks
    rzp.get(f"{API}/v1/payments/pay_1", json=payment_entity(order))
    captured = event_body("payment.captured", payment=payment_entity(order))
    order_paid = event_body(
        "order.paid", payment=payment_entity(order), order={"id": order.razorpay_order_id, "status": "paid"}
    )
    verify = {
        "razorpay_order_id": order.razorpay_order_id,
        "razorpay_payment_id": "pay_1",
        "razorpay_signature": checkout_signature(order.razorpay_order_id, "pay_1"),
    }

    def deliver(i: int) -> int:
        client = APIClient()
        if i % 4 == 0:  # 5 verify callbacks
            client.force_authenticate(student)
            response = client.post("/api/payments/verify/", verify, format="json")
        elif i % 4 == 1:  # 5 replays of the same captured event
            response = post_webhook(client, captured, event_id="evt_captured")
        elif i % 4 == 2:  # 5 order.paid deliveries with distinct ids
            response = post_webhook(client, order_paid, event_id=f"evt_order_paid_{i}")
        else:  # 5 captured events with distinct ids
            response = post_webhook(client, captured, event_id=f"evt_captured_{i}")
        return response.status_code

    # when 20 deliveries race
    statuses = returned(run_concurrently(*[lambda i=i: deliver(i) for i in range(20)]))

    # then every delivery succeeded, and there is exactly one paid payment and one enrollment
    assert statuses == [200] * 20
    assert Payment.objects.filter(status="paid").count() == 1
    assert Enrollment.objects.filter(user=student, course=order.course, status="active").count() == 1
    assert Course.objects.get(pk=order.course_id).learner_count == 1
    assert WebhookEvent.objects.count() == 11  # 1 replayed id + 5 + 5 distinct ids
    assert WebhookEvent.objects.filter(outcome="applied").count() <= 1
    assert len(mail.outbox) == 1  # the receipt went out once


def test_concurrent_double_click_opens_one_order(student, paid_course, rzp):
    # given Razorpay hands out a fresh order id per call
    counter = iter(range(100))
    rzp.add_callback(
        "POST",
        f"{API}/v1/orders",
        callback=lambda request: (200, {}, f'{{"id": "order_{next(counter)}", "status": "created"}}'),
    )

    def click() -> str:
        client = APIClient()
        client.force_authenticate(student)
        response = client.post("/api/payments/order/", {"course": str(paid_course.pk)}, format="json")
        return response.json()["order_id"]

    # when the learner's eight clicks race
    order_ids = returned(run_concurrently(click, times=8))

    # then every click got the same, single stored order
    assert Payment.objects.count() == 1
    assert set(order_ids) == {Payment.objects.get().razorpay_order_id}


def test_refund_racing_its_own_capture_ends_refunded_without_access(student, order, rzp):
    # given Razorpay captured the payment and refunded it in full; its events arrive at the same moment
    from billing.services import webhook_event_process

    entity = payment_entity(order)
    rzp.get(f"{API}/v1/payments/pay_1", json={**entity, "status": "refunded"})
    rzp.get(f"{API}/v1/refunds", json={"items": []})
    refund = {"id": "rfnd_1", "payment_id": "pay_1", "amount": order.amount, "status": "processed"}
    captured = {"event": "payment.captured", "payload": {"payment": {"entity": entity}}}
    refunded = {"event": "refund.processed", "payload": {"refund": {"entity": refund}}}
    targets = [lambda i=i: webhook_event_process(event_id=f"c{i}", payload=captured) for i in range(4)]
    targets += [lambda i=i: webhook_event_process(event_id=f"r{i}", payload=refunded) for i in range(4)]
    # when eight deliveries race
    returned(run_concurrently(*targets))
    # then, whichever won, the payment is refunded and the learner has no access
    order.refresh_from_db()
    assert order.status == "refunded" and order.payment_id == "pay_1" and order.refund_id == "rfnd_1"
    assert not Enrollment.objects.filter(user=student, status="active").exists()
    assert Course.objects.get(pk=order.course_id).learner_count == 0
    assert not WebhookEvent.objects.filter(outcome="pending").exists()


def test_receipt_queued_and_swept_at_once_goes_out_once(student, paid_course):
    # given a paid purchase whose receipt is both queued and picked up by the sweep
    from billing.tasks import payment_receipt_send
    from billing.tests.conftest import make_payment

    payment = make_payment(student, paid_course, status="paid", payment_id="pay_r", razorpay_order_id="o_r")
    # when six deliveries of the send run at once
    results = returned(run_concurrently(lambda: payment_receipt_send(str(payment.pk)), times=6))
    # then exactly one mail went out and it is marked
    assert sorted(results) == [False] * 5 + [True]
    assert len(mail.outbox) == 1
    payment.refresh_from_db()
    assert payment.receipt_sent_at is not None
