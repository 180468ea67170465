"""Bearer tokens on the project API: valid, expired, tampered, foreign and malformed."""

from __future__ import annotations

import jwt
import pytest
import time_machine
from allauth.headless.tokens.strategies.jwt import internal
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from accounts.tests.conftest import bearer
from common.authentication import VerifiedAccessTokens, access_token_validate, verified_access_tokens

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


# --- A token verified once is not decoded again, but everything that ends it still does ------------------------


def test_a_token_is_verified_once_while_it_is_valid(client, app_tokens, monkeypatch):
    # Given a fresh cache of verified tokens, and PyJWT's verification (allauth's decode_token) counted
    verified_access_tokens.clear()
    decoded = []
    original = internal.decode_token
    monkeypatch.setattr(internal, "decode_token", lambda token, use: decoded.append(use) or original(token, use))
    # When the same access token is used three times
    for _ in range(3):
        assert client.get("/api/auth/me/", **bearer(app_tokens["access_token"])).status_code == 200
    # Then its signature was verified once
    assert decoded == ["access"]


def test_a_verified_token_still_expires(client, app_tokens):
    # Given an access token that has authenticated (so it is kept as verified)
    assert client.get("/api/auth/me/", **bearer(app_tokens["access_token"])).status_code == 200
    expires = jwt.decode(app_tokens["access_token"], options={"verify_signature": False})["exp"]
    # When its expiry comes
    with time_machine.travel(expires, tick=False):
        # Then it is refused, as PyJWT refuses it (expired once exp <= now)
        _assert_invalid_token(client.get("/api/auth/me/", **bearer(app_tokens["access_token"])))
    with time_machine.travel(expires - 1, tick=False):
        assert client.get("/api/auth/me/", **bearer(app_tokens["access_token"])).status_code == 200


def test_a_verified_token_dies_with_its_session(app_client, app_tokens):
    # Given an access token that has authenticated
    assert app_client.get("/api/auth/me/", **bearer(app_tokens["access_token"])).status_code == 200
    # When the app signs out
    app_client.delete("/_allauth/app/v1/auth/session", **bearer(app_tokens["access_token"]))
    # Then the token is refused at once
    _assert_invalid_token(app_client.get("/api/auth/me/", **bearer(app_tokens["access_token"])))


def test_a_verified_token_is_refused_once_the_signing_key_changes(client, app_tokens, settings):
    assert client.get("/api/auth/me/", **bearer(app_tokens["access_token"])).status_code == 200
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings.HEADLESS_JWT_PRIVATE_KEY = other_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    _assert_invalid_token(client.get("/api/auth/me/", **bearer(app_tokens["access_token"])))


def test_request_auth_is_a_copy_of_the_kept_claims(app_tokens):
    # Given a verified token's claims handed to one request, then changed by it
    first = access_token_validate(app_tokens["access_token"])
    first.payload["sub"] = "someone else"
    # Then the next request gets the claims of the token
    assert access_token_validate(app_tokens["access_token"]).payload["sub"] != "someone else"


def test_the_cache_is_bounded():
    tokens = VerifiedAccessTokens(max_tokens=2)
    for number in range(3):
        token, _ = internal.create_token("access", sub=f"user-{number}", sid="c2lk", expires_in=60)
        assert tokens.payload(token)["sub"] == f"user-{number}"
    assert len(tokens._entries) == 2
