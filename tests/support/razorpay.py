"""The one Razorpay fake: test keys, the two signatures, webhook bodies, and an in-memory Razorpay.

Razorpay is faked at its HTTP API, never by patching the project's gateway. In-process tests either register
the exact answers they need on a ``responses`` mock (billing's edge cases) or put ``FakeRazorpay`` behind one
(``intercept``); the system tests and ``scripts/`` serve the same ``FakeRazorpay`` over loopback HTTP
(``serve``), because their gunicorn and Celery processes cannot see a ``responses`` mock.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import responses

KEY_ID = "rzp_test_key"
KEY_SECRET = "key-secret"
WEBHOOK_SECRET = "webhook-secret"
API_BASE_URL = "https://razorpay.test"  # .test never resolves: a call no fake answers fails at once
WEBHOOK_PATH = "/api/payments/webhook/"


def use_test_keys(settings, *, api_base_url: str = API_BASE_URL, timeout_seconds: float = 3.0) -> None:
    """Point the project at the test keys and at ``api_base_url`` (pytest-django's ``settings`` fixture)."""
    settings.RAZORPAY_KEY_ID = KEY_ID
    settings.RAZORPAY_KEY_SECRET = KEY_SECRET
    settings.RAZORPAY_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.RAZORPAY_API_BASE_URL = api_base_url
    settings.RAZORPAY_TIMEOUT_SECONDS = timeout_seconds


def process_env(*, api_base_url: str) -> dict[str, str]:
    """The same keys as environment variables, for a gunicorn or Celery process started by the system tests."""
    return {
        "RAZORPAY_KEY_ID": KEY_ID,
        "RAZORPAY_KEY_SECRET": KEY_SECRET,
        "RAZORPAY_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "RAZORPAY_API_BASE_URL": api_base_url,
    }


def checkout_signature(order_id: str, payment_id: str, *, secret: str = KEY_SECRET) -> str:
    """What Razorpay Checkout hands the browser after a payment: HMAC-SHA256 of ``order_id|payment_id``."""
    return hmac.new(secret.encode(), f"{order_id}|{payment_id}".encode(), hashlib.sha256).hexdigest()


def webhook_signature(body: bytes, *, secret: str = WEBHOOK_SECRET) -> str:
    """The ``X-Razorpay-Signature`` of a webhook delivery: HMAC-SHA256 of the raw body."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def event_body(event: str, **entities: dict) -> bytes:
    """A webhook event as Razorpay sends it: ``event_body("payment.captured", payment={...})``."""
    payload = {name: {"entity": entity} for name, entity in entities.items()}
    return json.dumps({"entity": "event", "event": event, "payload": payload}).encode()


def webhook_headers(body: bytes, *, event_id: str | None = None, secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    """The headers of a signed delivery, as HTTP header names (``requests``)."""
    return {
        "Content-Type": "application/json",
        "X-Razorpay-Signature": webhook_signature(body, secret=secret),
        "X-Razorpay-Event-Id": event_id or f"evt_{uuid.uuid4().hex[:14]}",
    }


def post_webhook(client, body: bytes, *, event_id: str | None = None, secret: str = WEBHOOK_SECRET, signature=None):
    """Deliver ``body`` to the webhook route through a Django test client, signed unless ``signature`` is given."""
    headers = webhook_headers(body, event_id=event_id, secret=secret)
    return client.post(
        WEBHOOK_PATH,
        data=body,
        content_type="application/json",
        HTTP_X_RAZORPAY_SIGNATURE=headers["X-Razorpay-Signature"] if signature is None else signature,
        HTTP_X_RAZORPAY_EVENT_ID=headers["X-Razorpay-Event-Id"],
    )


def _error(description: str) -> tuple[int, dict]:
    return 400, {"error": {"code": "BAD_REQUEST_ERROR", "description": description}}


@dataclass
class FakeRazorpay:
    """Just enough of Razorpay's REST API for orders, payments and refunds, in memory."""

    refund_status: str = "processed"
    orders: dict[str, dict] = field(default_factory=dict)
    payments: dict[str, dict] = field(default_factory=dict)
    refunds: dict[str, dict] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    base_url: str = ""
    requests_seen: int = 0

    checkout_signature = staticmethod(checkout_signature)
    webhook_signature = staticmethod(webhook_signature)

    def add_payment(
        self, *, order_id: str, amount: int, currency: str = "INR", payment_id: str | None = None
    ) -> dict[str, Any]:
        """A captured payment of ``order_id``, as if the learner had paid in Checkout."""
        payment = {
            "id": payment_id or f"pay_{uuid.uuid4().hex[:14]}",
            "entity": "payment",
            "amount": amount,
            "currency": currency,
            "status": "captured",
            "order_id": order_id,
            "method": "upi",
            "captured": True,
            "created_at": int(time.time()),
        }
        with self.lock:
            self.payments[payment["id"]] = payment
            if order_id in self.orders:
                self.orders[order_id]["status"] = "paid"
        return dict(payment)

    def pay(self, order_id: str) -> dict[str, Any]:
        """The learner pays an order this fake created: a captured payment for the whole order."""
        order = self.orders[order_id]
        return self.add_payment(order_id=order_id, amount=order["amount"], currency=order["currency"])

    def handle(self, method: str, path: str, body: dict) -> tuple[int, dict]:
        with self.lock:
            self.requests_seen += 1
            if method == "POST" and path == "/v1/orders":
                order = {
                    "id": f"order_{uuid.uuid4().hex[:14]}",
                    "entity": "order",
                    "amount": body["amount"],
                    "amount_paid": 0,
                    "currency": body.get("currency", "INR"),
                    "receipt": body.get("receipt"),
                    "notes": body.get("notes", {}),
                    "status": "created",
                    "attempts": 0,
                    "created_at": int(time.time()),
                }
                self.orders[order["id"]] = order
                return 200, order
            if method == "GET" and path == "/v1/refunds":
                items = list(self.refunds.values())
                return 200, {"entity": "collection", "count": len(items), "items": items}
            if match := re.fullmatch(r"/v1/orders/(\w+)/payments", path):
                items = [p for p in self.payments.values() if p["order_id"] == match[1]]
                return 200, {"entity": "collection", "count": len(items), "items": items}
            if match := re.fullmatch(r"/v1/payments/(\w+)/refunds", path):
                items = [r for r in self.refunds.values() if r["payment_id"] == match[1]]
                return 200, {"entity": "collection", "count": len(items), "items": items}
            if match := re.fullmatch(r"/v1/payments/(\w+)/capture", path):
                payment = self.payments.get(match[1])
                if payment is None or payment["status"] != "authorized":
                    return _error("not authorized")
                payment["status"] = "captured"
                return 200, payment
            if match := re.fullmatch(r"/v1/payments/(\w+)/refund", path):
                payment = self.payments.get(match[1])
                if payment is None:
                    return _error("no such payment")
                refund = {
                    "id": f"rfnd_{uuid.uuid4().hex[:14]}",
                    "entity": "refund",
                    "amount": body.get("amount", payment["amount"]),
                    "currency": payment["currency"],
                    "payment_id": payment["id"],
                    "status": self.refund_status,
                }
                self.refunds[refund["id"]] = refund
                return 200, refund
            if match := re.fullmatch(r"/v1/payments/(\w+)", path):
                payment = self.payments.get(match[1])
                return (200, payment) if payment is not None else _error("no such payment")
            if match := re.fullmatch(r"/v1/refunds/(\w+)", path):
                refund = self.refunds.get(match[1])
                return (200, refund) if refund is not None else _error("no such refund")
        return 404, {"error": {"code": "NOT_FOUND", "description": f"{method} {path}"}}

    def intercept(self, mock: responses.RequestsMock, *, base_url: str = API_BASE_URL) -> None:
        """Answer every request to ``base_url`` made inside ``mock`` (in-process tests)."""

        def callback(request) -> tuple[int, dict, str]:
            raw = request.body or b"{}"
            status, payload = self.handle(request.method, urlsplit(request.url).path, json.loads(raw))
            return status, {}, json.dumps(payload)

        every_route = re.compile(re.escape(base_url.rstrip("/")) + r"/v1/.*")
        for method in (responses.GET, responses.POST):
            mock.add_callback(method, every_route, callback=callback, content_type="application/json")

    @contextlib.contextmanager
    def serve(self, host: str = "127.0.0.1") -> Iterator[FakeRazorpay]:
        """Serve this fake over HTTP on ``host`` (system tests); ``base_url`` says where."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else {}
                except ValueError:
                    body = {}
                status, payload = fake.handle(method, self.path.split("?")[0], body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._answer("GET")

            def do_POST(self):
                self._answer("POST")

            def log_message(self, *args):  # quiet
                pass

        server = ThreadingHTTPServer((host, 0), Handler)
        self.base_url = f"http://{host}:{server.server_address[1]}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()
