"""Contract edges found by the end-to-end audit, pinned so they stay fixed (see /work/e2e-findings.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.e2e.conftest import Api, assert_error

pytestmark = pytest.mark.django_db


def test_a_fresh_process_can_sign_jwts():
    # Given a new interpreter where nothing but Django's start-up has imported cryptography's submodules
    # (the test suite's own imports hid this: allauth's lazy proxy only imports the first level)
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "from allauth.core.internal import jwkkit; "
        "jwkkit.load_jwk_from_pem(settings.HEADLESS_JWT_PRIVATE_KEY); print('ok')"
    )
    # When allauth loads the JWT signing key, as the first app-client login does
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", code],
        cwd=Path(settings.BASE_DIR),
        env={"DJANGO_SETTINGS_MODULE": "config.settings_test", "PATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # Then it works (it used to be an AttributeError, i.e. a 500 on every sign-in)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("ok")


def test_unusable_verification_codes_are_404_not_500(anonymous: Api):
    # A NUL byte reaches PostgreSQL as a DataError unless the code's shape is checked first
    for code in ("%00", "a%00b", "x" * 33, "no spaces"):
        assert_error(anonymous.get(f"/api/certificates/verify/{code}/"), 404, "certificate_not_found")


def test_leaderboard_domain_with_a_nul_byte_is_400(anonymous: Api):
    body = assert_error(anonymous.get("/api/leaderboard/", {"domain": "soft\x00ware"}), 400, "invalid")
    assert set(body["errors"]) == {"domain"}


def test_report_and_audit_log_dates_at_the_edge_of_the_calendar_are_400(admin_api: Api):
    for path in ("/api/admin/reports/users/", "/api/admin/reports/payments/", "/api/admin/audit-log/"):
        body = assert_error(admin_api.get(path, {"from": "0001-01-01", "to": "9999-12-31"}), 400, "invalid")
        assert set(body["errors"]) == {"from", "to"}
    ok = admin_api.get("/api/admin/reports/users/", {"from": "1900-01-01", "to": "9998-12-31"})
    assert ok.status_code == 200


def test_json_nested_too_deeply_is_400_not_500(signup_student):
    # json.loads raises RecursionError (not ValueError) on deep nesting; both parsers used to let it through
    deep = "[" * 100_000 + "]" * 100_000
    learner = signup_student("deep@example.com", "Deep Nest")
    api = learner.client.patch(
        "/api/auth/me/", deep, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {learner.access_token}"
    )
    assert_error(api, 400, "parse_error")
    for path in ("/_allauth/app/v1/auth/login", "/_allauth/app/v1/tokens/refresh", "/_allauth/app/v1/auth/signup"):
        allauth = Client().post(path, deep, content_type="application/json")
        assert_error(allauth, 400, "parse_error")


def test_non_ascii_razorpay_signatures_are_invalid_not_500(rzp, signup_student, instructor_api, admin_api, domains):
    from tests.e2e.conftest import RZP_API, build_course, publish

    # Given an open order
    course = build_course(instructor_api, domain=domains["software"], title="Paid Thing", price="10.00", modules=1)
    publish(instructor_api, admin_api, course.id)
    learner = signup_student("sig@example.com", "Sig Nature")
    rzp.post(f"{RZP_API}/v1/orders", json={"id": "order_SIG", "amount": 1000, "currency": "INR", "status": "created"})
    assert learner.post("/api/payments/order/", {"course": course.id}).status_code == 201

    # When Checkout's signature or the webhook's header is not ASCII (hmac.compare_digest raises TypeError)
    verify = learner.post(
        "/api/payments/verify/",
        {"razorpay_order_id": "order_SIG", "razorpay_payment_id": "pay_SIG", "razorpay_signature": "é" * 64},
    )
    webhook = Client().post(
        "/api/payments/webhook/", b"{}", content_type="application/json", HTTP_X_RAZORPAY_SIGNATURE="é" * 64
    )

    # Then both are an invalid signature
    assert_error(verify, 400, "invalid_signature")
    assert_error(webhook, 400, "invalid_signature")
