"""Abuse limits on login, sign-up, password reset and token refresh: per IP and per account, 429 + Retry-After."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.tests.conftest import app_login

pytestmark = pytest.mark.django_db

TIGHT = {
    "login": {"ip": "5/m", "account": "2/m"},
    "signup": {"ip": "2/m", "account": "1/m"},
    "password_reset": {"ip": "5/m", "account": "1/m"},
    "token_refresh": {"ip": "5/m", "account": "1/m"},
    "provider_token": {"ip": "1/m"},
}


@pytest.fixture(autouse=True)
def tight_limits(settings):
    settings.ACCOUNTS_RATE_LIMITS = TIGHT


def _assert_limited(response):
    assert response.status_code == 429
    assert response.json() == {"detail": "Too many requests. Try again later.", "code": "rate_limited"}
    assert 0 < int(response["Retry-After"]) <= 60


def test_login_is_limited_per_account_across_ips(verified_student):
    # Given two failed attempts on one account from two addresses
    for ip in ("10.0.0.1", "10.0.0.2"):
        assert app_login(Client(REMOTE_ADDR=ip), verified_student.email, password="guess").status_code == 400

    # When a third address tries the same account (even with the right password)
    response = app_login(Client(REMOTE_ADDR="10.0.0.3"), verified_student.email.upper())

    # Then it is limited, while another account is not
    _assert_limited(response)
    assert app_login(Client(REMOTE_ADDR="10.0.0.3"), "someone@example.com", password="guess").status_code == 400


def test_login_is_limited_per_ip_across_accounts(db):
    client = Client(REMOTE_ADDR="10.0.0.9")
    for n in range(5):
        assert app_login(client, f"user{n}@example.com", password="guess").status_code == 400
    _assert_limited(app_login(client, "user9@example.com", password="guess"))


def test_signup_is_limited(db):
    client = Client(REMOTE_ADDR="10.0.1.1")
    payload = {"email": "a@example.com", "password": "correct-horse-battery"}
    client.post("/_allauth/app/v1/auth/signup", payload, content_type="application/json")
    _assert_limited(client.post("/_allauth/app/v1/auth/signup", payload, content_type="application/json"))


def test_password_reset_request_is_limited_per_account(verified_student):
    payload = {"email": verified_student.email}
    first = Client(REMOTE_ADDR="10.0.2.1").post("/_allauth/app/v1/auth/password/request", payload, "application/json")
    second = Client(REMOTE_ADDR="10.0.2.2").post("/_allauth/app/v1/auth/password/request", payload, "application/json")
    assert first.status_code == 200
    _assert_limited(second)


def test_token_refresh_is_limited_per_account(app_client, app_tokens):
    first = app_client.post(
        "/_allauth/app/v1/tokens/refresh",
        {"refresh_token": app_tokens["refresh_token"]},
        content_type="application/json",
    )
    new_refresh = first.json()["data"]["refresh_token"]
    second = Client(REMOTE_ADDR="10.0.3.3").post(
        "/_allauth/app/v1/tokens/refresh", {"refresh_token": new_refresh}, content_type="application/json"
    )
    assert first.status_code == 200
    _assert_limited(second)


def test_allauths_own_429_carries_retry_after(settings, db):
    # Given one of allauth's own limits (verification mail resends) is reached
    settings.ACCOUNT_RATE_LIMITS = {"reset_password_from_key": "1/m/ip"}
    client = Client(REMOTE_ADDR="10.0.4.4")
    payload = {"key": "bogus", "password": "x"}
    client.post("/_allauth/app/v1/auth/password/reset", payload, content_type="application/json")
    settings.ACCOUNTS_RATE_LIMITS = {}

    response = client.post("/_allauth/app/v1/auth/password/reset", payload, content_type="application/json")

    assert response.status_code == 429
    assert response["Retry-After"] == "60"
