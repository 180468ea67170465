"""Bearer tokens on the project API: valid, expired, tampered, foreign and malformed."""

from __future__ import annotations

import jwt
import pytest
from allauth.headless.tokens.strategies.jwt import internal
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from accounts.tests.conftest import bearer

pytestmark = pytest.mark.django_db


def _assert_invalid_token(response):
    assert response.status_code == 401
    assert response.json() == {"detail": "The access token is invalid or has expired.", "code": "invalid_token"}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_valid_access_token_authenticates(client, app_tokens, verified_student):
    response = client.get("/api/auth/me/", **bearer(app_tokens["access_token"]))
    assert response.status_code == 200
    assert response.json()["id"] == str(verified_student.pk)


def test_an_expired_access_token_gets_401(client, app_tokens):
    # Given a token with the same subject and session that expired a minute ago
    claims = jwt.decode(app_tokens["access_token"], options={"verify_signature": False})
    expired, _ = internal.create_token("access", sub=claims["sub"], sid=claims["sid"], expires_in=-60)

    _assert_invalid_token(client.get("/api/auth/me/", **bearer(expired)))


def test_a_tampered_access_token_gets_401(client, app_tokens, make_user):
    # Given a token whose payload was edited to claim another user (signature no longer matches)
    other = make_user("admin")
    header, _payload, signature = app_tokens["access_token"].split(".")
    claims = jwt.decode(app_tokens["access_token"], options={"verify_signature": False})
    claims["sub"] = str(other.pk)
    forged_payload = jwt.utils.base64url_encode(jwt.api_jws.json.dumps(claims).encode()).decode()

    _assert_invalid_token(client.get("/api/auth/me/", **bearer(f"{header}.{forged_payload}.{signature}")))


def test_a_token_signed_with_another_key_gets_401(client, app_tokens):
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = other_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    claims = jwt.decode(app_tokens["access_token"], options={"verify_signature": False})
    foreign = jwt.encode(claims, pem, algorithm="RS256")

    _assert_invalid_token(client.get("/api/auth/me/", **bearer(foreign)))


def test_a_refresh_token_is_not_an_access_token(client, app_tokens):
    _assert_invalid_token(client.get("/api/auth/me/", **bearer(app_tokens["refresh_token"])))


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer not-a-jwt"])
def test_malformed_authorization_headers_get_401(client, db, header):
    _assert_invalid_token(client.get("/api/auth/me/", HTTP_AUTHORIZATION=header))


def test_no_credentials_gets_401_with_the_error_body(client, db):
    response = client.get("/api/auth/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
