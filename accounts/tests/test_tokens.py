"""Bearer tokens on the project API: valid, expired, tampered, foreign and malformed."""

from __future__ import annotations

import jwt
import pytest
import time_machine
from allauth.headless.tokens.strategies.jwt import internal
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.tests.conftest import bearer
from common import authentication
from common.authentication import (
    VerifiedAccessTokens,
    access_token_validate,
    token_session_and_user,
    verified_access_tokens,
)
from common.db_router import replica_reads, routing_reset

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


# --- The token's session and its user are read in one query; anything irregular goes to allauth's path ---------


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def _session_key(token: str) -> str:
    return internal.session_key_from_sid(_claims(token)["sid"])


def test_a_valid_token_reads_its_session_and_user_in_one_query(app_tokens, verified_student, monkeypatch):
    # Given allauth's session lookup made to fail if it is reached
    monkeypatch.setattr(internal, "get_token_session", lambda payload: pytest.fail("allauth's path was taken"))
    # When a valid access token is validated
    with CaptureQueriesContext(connection) as captured:
        result = access_token_validate(app_tokens["access_token"])
    # Then one statement read both, and the session is the token's, loaded
    assert len(captured.captured_queries) == 1
    assert '"django_session"' in captured.captured_queries[0]["sql"]
    assert result.user == verified_student
    assert result.session.session_key == _session_key(app_tokens["access_token"])
    assert result.session[SESSION_KEY] == str(verified_student.pk)
    assert token_session_and_user(result.payload)[1] == verified_student


def _irregular(state: str, tokens: dict, user, settings) -> str:
    """Put the token's session or user into ``state`` (``settings``: pytest-django's fixture); the token to validate."""
    token = tokens["access_token"]
    if state == "signed out":
        Session.objects.filter(session_key=_session_key(token)).delete()
        cache.clear()  # the cached_db copy too, as SessionStore.delete() does
    elif state == "password changed":
        user.set_password("another-correct-horse")
        user.save()
    elif state == "deactivated":
        User.objects.filter(pk=user.pk).update(is_active=False)
    elif state == "another user's subject":
        other = User.objects.create_user("other@example.com", "correct-horse-battery")
        token, _ = internal.create_token("access", sub=str(other.pk), sid=_claims(token)["sid"], expires_in=60)
    elif state == "a backend no longer configured":
        signed_in_by = Session.objects.get(session_key=_session_key(token)).get_decoded()[BACKEND_SESSION_KEY]
        settings.AUTHENTICATION_BACKENDS = [path for path in settings.AUTHENTICATION_BACKENDS if path != signed_in_by]
    return token


IRREGULAR = [
    "signed out",
    "password changed",
    "deactivated",
    "another user's subject",
    "a backend no longer configured",
]


@pytest.mark.parametrize("state", IRREGULAR)
def test_an_irregular_token_is_not_answered_by_the_one_query(state, app_tokens, verified_student, settings):
    token = _irregular(state, app_tokens, verified_student, settings)
    assert token_session_and_user(_claims(token)) is None


@pytest.mark.parametrize("state", IRREGULAR)
def test_an_irregular_token_is_refused_as_allauth_refuses_it(state, client, app_tokens, verified_student, settings):
    # Given the token's session or user made irregular
    token = _irregular(state, app_tokens, verified_student, settings)
    # Then allauth's own validation refuses it, and so does the API
    assert internal.validate_access_token(token) is None
    _assert_invalid_token(client.get("/api/auth/me/", **bearer(token)))


def test_a_stale_password_hash_ends_the_session_as_django_does(client, app_tokens, verified_student, settings):
    # Given a token whose user changed password elsewhere (the session's hash is stale)
    _irregular("password changed", app_tokens, verified_student, settings)
    # When it is used, then it is refused and its session is ended (django.contrib.auth.get_user flushes it)
    _assert_invalid_token(client.get("/api/auth/me/", **bearer(app_tokens["access_token"])))
    assert not Session.objects.filter(session_key=_session_key(app_tokens["access_token"])).exists()


def test_a_suspended_users_valid_token_still_gets_403(client, app_tokens, verified_student):
    User.objects.filter(pk=verified_student.pk).update(is_suspended=True)
    assert token_session_and_user(_claims(app_tokens["access_token"]))[1].is_suspended
    response = client.get("/api/auth/me/", **bearer(app_tokens["access_token"]))
    assert (response.status_code, response.json()["code"]) == (403, "account_suspended")


def test_sessions_kept_outside_the_table_take_allauths_path(app_tokens, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    assert token_session_and_user(_claims(app_tokens["access_token"])) is None


def test_a_token_is_refused_once_the_secret_key_changes(client, app_tokens, settings):
    # Given a token that has authenticated (its session key and session data kept as decrypted and decoded)
    assert client.get("/api/auth/me/", **bearer(app_tokens["access_token"])).status_code == 200
    # When SECRET_KEY changes (the sid's cipher and the sessions' signatures with it), then the token is refused
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    _assert_invalid_token(client.get("/api/auth/me/", **bearer(app_tokens["access_token"])))


def test_the_decrypted_and_decoded_sessions_kept_are_bounded(monkeypatch):
    monkeypatch.setattr(authentication, "_MEMO_SIZE", 2)
    memo: dict = {}
    calls = []
    for number in (1, 2, 3, 3):
        assert authentication._memo(memo, number, lambda n: calls.append(n) or n * 10, number) == number * 10
    assert calls == [1, 2, 3]
    assert list(memo) == [2, 3]


@pytest.mark.django_db(transaction=True)  # outside a transaction, where reads may go to a replica
def test_the_session_is_read_on_the_primary_even_where_reads_may_lag(app_tokens, settings):
    # Given a replica, and a block whose reads tolerate lag
    settings.DATABASE_REPLICAS = ["replica_test"]
    routing_reset()
    try:
        # (a query on the replica would fail here: this test may not use its connection)
        with replica_reads(), CaptureQueriesContext(connection) as on_primary:
            assert token_session_and_user(_claims(app_tokens["access_token"])) is not None
    finally:
        routing_reset()
    # Then the session and the user were read on the primary
    assert len(on_primary.captured_queries) == 1
