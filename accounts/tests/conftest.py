"""Fixtures for the accounts tests: a fake Google (served by `responses`) and allauth client helpers."""

from __future__ import annotations

import datetime
import time
import uuid
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
import responses
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.socialaccount.models import SocialApp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.test import Client

GOOGLE_CLIENT_ID = "test-client-id.apps.googleusercontent.com"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
GOOGLE_USERINFO_URL = "https://www.googleapis.com/oauth2/v2/userinfo"
GOOGLE_CERTS_URL = "https://www.googleapis.com/oauth2/v1/certs"
GOOGLE_KID = "test-kid-1"
PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def google_signing_key():
    """Google's (fake) signing key and the X.509 certificate its certs endpoint publishes."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "accounts.google.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return key, cert.public_bytes(serialization.Encoding.PEM).decode()


@pytest.fixture
def google_app(db):
    return SocialApp.objects.create(provider="google", name="Google", client_id=GOOGLE_CLIENT_ID, secret="test-secret")


@pytest.fixture
def make_id_token(google_signing_key):
    key, _cert = google_signing_key

    def make(*, sub: str = "google-uid-1", email: str = "priya@example.com", name: str = "Priya Sharma", **claims):
        now = int(time.time())
        payload = {
            "iss": "https://accounts.google.com",
            "aud": GOOGLE_CLIENT_ID,
            "sub": sub,
            "email": email,
            "email_verified": True,
            "name": name,
            "given_name": name.split(" ")[0],
            "family_name": name.partition(" ")[2],
            "iat": now,
            "exp": now + 3600,
            "jti": uuid.uuid4().hex,
            **claims,
        }
        return jwt.encode(payload, key, algorithm="RS256", headers={"kid": GOOGLE_KID})

    return make


@pytest.fixture
def fake_google(google_app, google_signing_key):
    """Google's HTTP endpoints; nothing leaves the machine (unmatched requests fail the test)."""
    _key, cert_pem = google_signing_key
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.GET, GOOGLE_CERTS_URL, json={GOOGLE_KID: cert_pem})
        yield mock


@pytest.fixture
def app_client() -> Client:
    """A client of allauth's `app` API (JSON, no cookies needed)."""
    return Client()


def app_login(client: Client, email: str, password: str = PASSWORD):
    return client.post(
        "/_allauth/app/v1/auth/login", {"email": email, "password": password}, content_type="application/json"
    )


def google_token_login(client: Client, id_token: str):
    return client.post(
        "/_allauth/app/v1/auth/provider/token",
        {"provider": "google", "process": "login", "token": {"client_id": GOOGLE_CLIENT_ID, "id_token": id_token}},
        content_type="application/json",
    )


def google_redirect_login(client: Client, mock, *, token_response: dict, userinfo: dict | None = None):
    """The browser flow: start at allauth, come back from Google to the callback; returns the final redirect."""
    start = client.post(
        "/_allauth/browser/v1/auth/provider/redirect",
        {"provider": "google", "callback_url": "http://localhost:3000/auth/callback", "process": "login"},
    )
    assert start.status_code == 302, start.content
    location = urlparse(start["Location"])
    assert location.netloc == "accounts.google.com"
    state = parse_qs(location.query)["state"][0]
    mock.add(responses.POST, GOOGLE_TOKEN_URL, json=token_response)
    if userinfo is not None:
        mock.add(responses.GET, GOOGLE_USERINFO_URL, json=userinfo)
    return client.get("/accounts/google/login/callback/", {"code": "auth-code-from-google", "state": state})


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def verified_student(make_user):
    user = make_user("student", email="asha@example.com", full_name="Asha Student")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


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
