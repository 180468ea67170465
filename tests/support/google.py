"""The one Google fake: a signing key, ID tokens signed with it, and Google's endpoints served by ``responses``.

A conftest makes the fixtures available by importing them (``from tests.support.google import fake_google, ...``);
the helpers drive allauth's two Google flows (the app's token login, the browser's redirect) as a client does.
"""

from __future__ import annotations

import datetime
import time
import uuid
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
import responses
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
    """``make_id_token(sub=..., email=..., name=..., **claims)``: an ID token as Google signs it."""
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


def google_token_login(client: Client, id_token: str):
    """The app flow: hand allauth the ID token the Google SDK returned."""
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
