"""Billing fixtures: Razorpay's test keys and HTTP fake (``responses``), payments in each state.

The keys, signatures and webhook bodies are ``tests.support.razorpay``'s, named here as billing's tests import them.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import responses
from model_bakery import baker

from billing.models import Payment
from common.tests.broker import celery_broker_unreachable
from tests.support import razorpay
from tests.support.razorpay import KEY_ID, KEY_SECRET, WEBHOOK_SECRET, checkout_signature, event_body, post_webhook

API = razorpay.API_BASE_URL
__all__ = ["API", "KEY_ID", "KEY_SECRET", "WEBHOOK_SECRET", "checkout_signature", "event_body", "post_webhook"]


@pytest.fixture(autouse=True)
def _razorpay_settings(settings):
    razorpay.use_test_keys(settings)


@pytest.fixture
def rzp():
    """Razorpay answered at the HTTP boundary; any unexpected call fails the test."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def paid_course(instructor):
    return baker.make(
        "catalog.Course", instructor=instructor, status="published", price=Decimal("499.00"), title="Django Deep Dive"
    )


@pytest.fixture
def free_course(instructor):
    return baker.make("catalog.Course", instructor=instructor, status="published", price=Decimal("0.00"))


def make_payment(user, course, *, status="created", payment_id="", **kwargs) -> Payment:
    from django.utils import timezone

    defaults = {"amount": int(course.price * 100), "currency": "INR"}
    if status in ("paid", "refund_pending", "refunded"):
        defaults["paid_at"] = timezone.now()
    if status == "refunded":
        defaults["refunded_at"] = timezone.now()
    defaults.update(kwargs)
    return baker.make(Payment, user=user, course=course, status=status, payment_id=payment_id, **defaults)


@pytest.fixture
def order(student, paid_course) -> Payment:
    return make_payment(student, paid_course, razorpay_order_id="order_A1", receipt="dca_a1")


def payment_entity(payment: Payment, *, pay_id="pay_1", status="captured", amount=None, currency=None, order_id=None):
    return {
        "id": pay_id,
        "entity": "payment",
        "order_id": order_id or payment.razorpay_order_id,
        "amount": payment.amount if amount is None else amount,
        "currency": currency or payment.currency,
        "status": status,
        "error_description": "Card declined by bank" if status == "failed" else None,
    }


@pytest.fixture
def broker_down():
    with celery_broker_unreachable():
        yield
