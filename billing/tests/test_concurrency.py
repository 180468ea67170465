"""Verify and webhooks racing for one payment, on real PostgreSQL with real threads."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import connection
from rest_framework.test import APIClient

from billing.models import Payment, WebhookEvent
from billing.tests.conftest import API, checkout_signature, event_body, payment_entity, post_webhook
from catalog.models import Course, Enrollment

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
    barrier = threading.Barrier(20)
    statuses: list[int] = []

    def deliver(i: int) -> None:
        try:
            client = APIClient()
            barrier.wait()
            if i % 4 == 0:  # 5 verify callbacks
                client.force_authenticate(student)
                response = client.post("/api/payments/verify/", verify, format="json")
            elif i % 4 == 1:  # 5 replays of the same captured event
                response = post_webhook(client, captured, event_id="evt_captured")
            elif i % 4 == 2:  # 5 order.paid deliveries with distinct ids
                response = post_webhook(client, order_paid, event_id=f"evt_order_paid_{i}")
            else:  # 5 captured events with distinct ids
                response = post_webhook(client, captured, event_id=f"evt_captured_{i}")
            statuses.append(response.status_code)
        finally:
            connection.close()

    # when 20 deliveries race
    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

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
    barrier = threading.Barrier(8)
    order_ids: list[str] = []

    def click() -> None:
        try:
            client = APIClient()
            client.force_authenticate(student)
            barrier.wait()
            response = client.post("/api/payments/order/", {"course": str(paid_course.pk)}, format="json")
            order_ids.append(response.json()["order_id"])
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then every click got the same, single stored order
    assert Payment.objects.count() == 1
    assert set(order_ids) == {Payment.objects.get().razorpay_order_id}
