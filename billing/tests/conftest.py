"""Billing fixtures: Razorpay test settings, the HTTP fake of Razorpay (``responses``), signing helpers."""

from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal

import pytest
import responses
from model_bakery import baker

from billing.models import Payment
from common.tests.broker import celery_broker_unreachable

API = "https://razorpay.test"
KEY_ID = "rzp_test_key"
KEY_SECRET = "key-secret"
WEBHOOK_SECRET = "webhook-secret"


@pytest.fixture(autouse=True)
def _razorpay_settings(settings):
    settings.RAZORPAY_KEY_ID = KEY_ID
    settings.RAZORPAY_KEY_SECRET = KEY_SECRET
    settings.RAZORPAY_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.RAZORPAY_API_BASE_URL = API
    settings.RAZORPAY_TIMEOUT_SECONDS = 3.0


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


def checkout_signature(order_id: str, payment_id: str, secret: str = KEY_SECRET) -> str:
    return hmac.new(secret.encode(), f"{order_id}|{payment_id}".encode(), hashlib.sha256).hexdigest()


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


def event_body(event: str, **entities) -> bytes:
    return json.dumps(
        {"entity": "event", "event": event, "payload": {name: {"entity": e} for name, e in entities.items()}}
    ).encode()


def post_webhook(client, body: bytes, *, event_id: str, secret: str = WEBHOOK_SECRET, signature: str | None = None):
    sig = signature if signature is not None else hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post(
        "/api/payments/webhook/",
        data=body,
        content_type="application/json",
        HTTP_X_RAZORPAY_SIGNATURE=sig,
        HTTP_X_RAZORPAY_EVENT_ID=event_id,
    )


@pytest.fixture
def broker_down():
    with celery_broker_unreachable():
        yield
