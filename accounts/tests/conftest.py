"""Fixtures for the accounts tests: allauth client helpers, and the Google fake of ``tests.support.google``."""

from __future__ import annotations

import datetime
import time

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client

from tests.support.google import (
    GOOGLE_CLIENT_ID,
    GOOGLE_KID,
    fake_google,
    google_app,
    google_redirect_login,
    google_signing_key,
    google_token_login,
    make_id_token,
)

__all__ = [
    "GOOGLE_CLIENT_ID",
    "GOOGLE_KID",
    "fake_google",
    "google_app",
    "google_redirect_login",
    "google_signing_key",
    "google_token_login",
    "make_id_token",
]

PASSWORD = "correct-horse-battery"


@pytest.fixture
def app_client() -> Client:
    """A client of allauth's `app` API (JSON, no cookies needed)."""
    return Client()


def app_login(client: Client, email: str, password: str = PASSWORD):
    return client.post(
        "/_allauth/app/v1/auth/login", {"email": email, "password": password}, content_type="application/json"
    )


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def make_verified_user(make_user):
    """``make_verified_user(role, email=..., **fields)``: a user whose address allauth knows as verified."""

    def make(role: str, **fields):
        user = make_user(role, **fields)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        return user

    return make


@pytest.fixture
def verified_student(make_verified_user):
    return make_verified_user("student", email="asha@example.com", full_name="Asha Student")


@pytest.fixture
def app_tokens(app_client, verified_student):
    response = app_login(app_client, verified_student.email)
    assert response.status_code == 200, response.content
    return response.json()["meta"]


# --- Two-factor authentication --------------------------------------------------------------------

MONDAY_MORNING = datetime.datetime(2026, 3, 2, 10, 0, 0, tzinfo=datetime.UTC)
JSON = "application/json"


def totp_code(secret: str, *, steps_from_now: int = 0) -> str:
    """The code an authenticator app shows now (RFC 6238: HOTP of the 30-second step)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + steps_from_now))


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY_MORNING, tick=False) as traveller:
        yield traveller


def app_post(client: Client, path: str, data: dict, **headers):
    return client.post(f"/_allauth/app/v1/{path}", data, content_type=JSON, **headers)


def session_token(token: str) -> dict:
    return {"HTTP_X_SESSION_TOKEN": token}


def enrol_with_app_client(client: Client, access_token: str) -> str:
    """Re-authenticate, fetch a secret and activate it, as the frontend does; returns the secret."""
    assert app_post(client, "auth/reauthenticate", {"password": PASSWORD}, **bearer(access_token)).status_code == 200
    secret = client.get("/_allauth/app/v1/account/authenticators/totp", **bearer(access_token)).json()["meta"]["secret"]
    activated = app_post(client, "account/authenticators/totp", {"code": totp_code(secret)}, **bearer(access_token))
    assert activated.status_code == 200, activated.content
    return secret
