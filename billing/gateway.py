"""The one place that talks to Razorpay, through the official SDK.

Every call has a timeout and goes to ``RAZORPAY_API_BASE_URL``. Transport failures, timeouts, 5xx and
unreadable answers become ``GatewayUnavailable`` (503 ``payment_gateway_unavailable``); a 4xx refusal
becomes ``GatewayRejected``. Callers make these calls outside database transactions, so a slow gateway
never holds a row lock and a failed call leaves nothing half-written.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import razorpay
import requests
from django.conf import settings
from razorpay.errors import BadRequestError, GatewayError, ServerError, SignatureVerificationError

from billing.errors import BillingErrorCode
from common.exceptions import ApplicationError, ServiceUnavailableError

logger = logging.getLogger(__name__)


class GatewayUnavailable(ServiceUnavailableError):
    default_code = BillingErrorCode.GATEWAY_UNAVAILABLE


class GatewayRejected(ApplicationError):
    default_code = BillingErrorCode.GATEWAY_REJECTED


class _TimeoutSession(requests.Session):
    # The SDK forwards no default timeout; a session-level default covers every resource method.
    def __init__(self, timeout: float):
        super().__init__()
        self.timeout = timeout

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, **kwargs)


def razorpay_client() -> razorpay.Client:
    if not (settings.RAZORPAY_KEY_ID and settings.RAZORPAY_KEY_SECRET):
        raise GatewayUnavailable("Payments are not configured.", code=BillingErrorCode.PAYMENTS_NOT_CONFIGURED)
    return razorpay.Client(
        session=_TimeoutSession(settings.RAZORPAY_TIMEOUT_SECONDS),
        auth=(settings.RAZORPAY_KEY_ID, settings.RAZORPAY_KEY_SECRET),
        base_url=settings.RAZORPAY_API_BASE_URL,
    )


def _gateway_call(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except BadRequestError as exc:
            raise GatewayRejected(f"Razorpay refused the request: {exc}") from exc
        except (requests.RequestException, ServerError, GatewayError, ValueError) as exc:
            logger.warning("Razorpay call %s failed: %r", func.__name__, exc)
            raise GatewayUnavailable("The payment gateway is unavailable. Please try again in a minute.") from exc

    return wrapper


@_gateway_call
def order_create(*, amount: int, currency: str, receipt: str, notes: dict[str, str]) -> dict[str, Any]:
    return razorpay_client().order.create({"amount": amount, "currency": currency, "receipt": receipt, "notes": notes})


@_gateway_call
def order_payments(*, order_id: str) -> list[dict[str, Any]]:
    return razorpay_client().order.payments(order_id).get("items", [])


@_gateway_call
def payment_fetch(*, payment_id: str) -> dict[str, Any]:
    return razorpay_client().payment.fetch(payment_id)


@_gateway_call
def payment_capture(*, payment_id: str, amount: int, currency: str) -> dict[str, Any]:
    return razorpay_client().payment.capture(payment_id, amount, {"currency": currency})


@_gateway_call
def refund_create(*, payment_id: str, amount: int, idempotency_key: str, notes: dict[str, str]) -> dict[str, Any]:
    # Razorpay answers a repeated key with the refund it already made instead of refunding again.
    return razorpay_client().payment.refund(
        payment_id, {"amount": amount, "notes": notes}, headers={"X-Refund-Idempotency": idempotency_key}
    )


@_gateway_call
def payment_refunds(*, payment_id: str) -> list[dict[str, Any]]:
    return razorpay_client().payment.fetch_multiple_refund(payment_id).get("items", [])


@_gateway_call
def refunds_since(*, since: int, page_size: int = 100) -> list[dict[str, Any]]:
    """Every refund created since the unix time ``since``, all pages."""
    client = razorpay_client()
    refunds: list[dict[str, Any]] = []
    while True:
        page = client.refund.all({"from": since, "count": page_size, "skip": len(refunds)}).get("items", [])
        refunds += page
        if len(page) < page_size:
            return refunds


@_gateway_call
def refund_fetch(*, refund_id: str) -> dict[str, Any]:
    return razorpay_client().refund.fetch(refund_id)


def checkout_signature_valid(*, order_id: str, payment_id: str, signature: str) -> bool:
    """Checkout's signature: HMAC-SHA256 of ``order_id|payment_id`` with the key secret."""
    try:
        return bool(
            razorpay_client().utility.verify_payment_signature(
                {"razorpay_order_id": order_id, "razorpay_payment_id": payment_id, "razorpay_signature": signature}
            )
        )
    except (SignatureVerificationError, TypeError):
        # hmac.compare_digest raises TypeError for a non-ASCII str: such a signature is simply wrong.
        return False


def webhook_signature_valid(*, body: bytes, signature: str) -> bool:
    """Webhook signature: HMAC-SHA256 of the raw body with the webhook secret (never the key secret)."""
    secret = settings.RAZORPAY_WEBHOOK_SECRET
    if not secret or not signature:
        return False  # an empty secret would make the HMAC forgeable by anyone
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    try:
        return bool(razorpay.Utility().verify_webhook_signature(text, signature, secret))
    except (SignatureVerificationError, TypeError):
        return False
