"""Two-factor authentication through allauth's headless API: enrolment, sign-in with a code, recovery codes.

Codes are computed in the test from the secret (RFC 6238, through allauth's own HOTP function) at a frozen
instant, so no test depends on the wall clock or on which 30-second window it runs in.
"""

from __future__ import annotations

import datetime

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from accounts.tests.conftest import (
    JSON,
    PASSWORD,
    app_login,
    app_post,
    bearer,
    enrol_with_app_client,
    google_token_login,
    session_token,
    totp_code,
)

pytestmark = pytest.mark.django_db


def recovery_codes_of(user) -> list[str]:
    return Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES).wrap().get_unused_codes()


# --- Enrolment ------------------------------------------------------------------------------------


def test_a_learner_enrols_an_authenticator_app_through_the_app_client(clock, app_client, app_tokens, verified_student):
    # Given a signed-in learner who has just confirmed their password
    access = app_tokens["access_token"]
    reauth = app_post(app_client, "auth/reauthenticate", {"password": PASSWORD}, **bearer(access))
    assert reauth.status_code == 200

    # When they ask for a TOTP secret
    offered = app_client.get("/_allauth/app/v1/account/authenticators/totp", **bearer(access))

    # Then none is active yet and a secret with an otpauth:// URL issued by the academy is offered
    assert offered.status_code == 404
    secret = offered.json()["meta"]["secret"]
    assert offered.json()["meta"]["totp_url"].startswith("otpauth://totp/asha%40example.com?secret=")
    assert "issuer=Desired%20Career%20Academy" in offered.json()["meta"]["totp_url"]

    # When they confirm with a wrong code, then nothing is activated
    wrong = app_post(app_client, "account/authenticators/totp", {"code": "000000"}, **bearer(access))
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["code"] == "incorrect_code"
    assert not Authenticator.objects.filter(user=verified_student).exists()

    # When they confirm with the code their app shows, then TOTP and ten recovery codes are active
    activated = app_post(app_client, "account/authenticators/totp", {"code": totp_code(secret)}, **bearer(access))
    assert activated.status_code == 200
    assert activated.json()["data"]["type"] == "totp"
    assert set(Authenticator.objects.filter(user=verified_student).values_list("type", flat=True)) == {
        "totp",
        "recovery_codes",
    }
    listed = app_client.get("/_allauth/app/v1/account/authenticators", **bearer(access)).json()["data"]
    assert {item["type"] for item in listed} == {"totp", "recovery_codes"}
    codes = app_client.get("/_allauth/app/v1/account/authenticators/recovery-codes", **bearer(access)).json()
    assert len(codes["data"]["unused_codes"]) == 10


def test_activating_totp_needs_a_fresh_confirmation_of_the_password(clock, app_client, app_tokens, verified_student):
    # Given a signed-in learner who has not re-authenticated (a stolen token alone must not set up 2FA)
    access = app_tokens["access_token"]
    secret = app_client.get("/_allauth/app/v1/account/authenticators/totp", **bearer(access)).json()["meta"]["secret"]

    # When they try to activate it
    response = app_post(app_client, "account/authenticators/totp", {"code": totp_code(secret)}, **bearer(access))

    # Then allauth asks for re-authentication and nothing is stored
    assert response.status_code == 401
    assert {"id": "reauthenticate"} in response.json()["data"]["flows"]
    assert not Authenticator.objects.filter(user=verified_student).exists()


def test_a_learner_enrols_through_the_browser_client(clock, verified_student):
    browser = Client()
    browser.post("/_allauth/browser/v1/auth/login", {"email": verified_student.email, "password": PASSWORD}, JSON)
    browser.post("/_allauth/browser/v1/auth/reauthenticate", {"password": PASSWORD}, JSON)
    secret = browser.get("/_allauth/browser/v1/account/authenticators/totp").json()["meta"]["secret"]

    response = browser.post("/_allauth/browser/v1/account/authenticators/totp", {"code": totp_code(secret)}, JSON)

    assert response.status_code == 200
    assert Authenticator.objects.filter(user=verified_student, type="totp").count() == 1


# --- Signing in with a second factor --------------------------------------------------------------


@pytest.fixture
def enrolled_student(clock, app_client, app_tokens, verified_student):
    """The verified student with an authenticator app; returns (user, secret), the clock one step later."""
    secret = enrol_with_app_client(app_client, app_tokens["access_token"])
    clock.shift(datetime.timedelta(seconds=30))  # a code is accepted once; the next sign-in uses the next one
    return verified_student, secret


def test_app_sign_in_with_totp_waits_for_the_code_and_issues_no_token_before(enrolled_student):
    user, secret = enrolled_student
    client = Client()

    # When the learner signs in with the right password
    login = app_login(client, user.email)

    # Then the sign-in is pending the second factor: a session token to continue with, and no access token
    assert login.status_code == 401
    body = login.json()
    assert body["meta"]["is_authenticated"] is False
    assert "access_token" not in body["meta"]
    assert {"id": "mfa_authenticate", "is_pending": True, "types": ["recovery_codes", "totp"]} in body["data"]["flows"]
    pending = session_token(body["meta"]["session_token"])
    # and the pending session is not signed in anywhere
    assert client.get("/_allauth/app/v1/auth/session", **pending).status_code == 401
    assert client.get("/api/auth/me/", **pending).status_code == 401

    # When they send a wrong code, then they stay signed out
    wrong = app_post(client, "auth/2fa/authenticate", {"code": "123456"}, **pending)
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["code"] == "incorrect_code"
    assert "access_token" not in wrong.json().get("meta", {})

    # When they send the code their app shows, then they are signed in with tokens that work on the API
    done = app_post(client, "auth/2fa/authenticate", {"code": totp_code(secret)}, **pending)
    assert done.status_code == 200
    assert [method["method"] for method in done.json()["data"]["methods"]] == ["password", "mfa"]
    me = client.get("/api/auth/me/", **bearer(done.json()["meta"]["access_token"]))
    assert me.status_code == 200
    assert me.json()["email"] == user.email


def test_browser_sign_in_with_totp_waits_for_the_code(enrolled_student):
    user, secret = enrolled_student
    browser = Client()

    login = browser.post("/_allauth/browser/v1/auth/login", {"email": user.email, "password": PASSWORD}, JSON)

    assert login.status_code == 401
    assert any(flow["id"] == "mfa_authenticate" and flow.get("is_pending") for flow in login.json()["data"]["flows"])
    assert browser.get("/_allauth/browser/v1/auth/session").status_code == 401
    assert browser.get("/api/auth/me/").status_code == 401

    done = browser.post("/_allauth/browser/v1/auth/2fa/authenticate", {"code": totp_code(secret)}, JSON)

    assert done.status_code == 200
    assert browser.get("/api/auth/me/").json()["email"] == user.email


def test_google_sign_in_of_an_enrolled_user_waits_for_the_code_too(enrolled_student, fake_google, make_id_token):
    # Given an enrolled learner whose Google account has the same verified address
    user, secret = enrolled_student
    client = Client()

    # When they sign in with Google
    login = google_token_login(client, make_id_token(sub="g-asha", email=user.email, name="Asha Student"))

    # Then Google alone is not enough: the sign-in waits for the second factor, with no token
    assert login.status_code == 401
    assert "access_token" not in login.json()["meta"]
    assert any(flow["id"] == "mfa_authenticate" and flow.get("is_pending") for flow in login.json()["data"]["flows"])
    pending = session_token(login.json()["meta"]["session_token"])
    done = app_post(client, "auth/2fa/authenticate", {"code": totp_code(secret)}, **pending)
    assert done.status_code == 200
    assert done.json()["data"]["user"]["id"] == str(user.pk)


def test_a_totp_code_is_accepted_once(enrolled_student):
    user, secret = enrolled_student
    code = totp_code(secret)
    first = app_login(Client(), user.email).json()["meta"]["session_token"]
    assert app_post(Client(), "auth/2fa/authenticate", {"code": code}, **session_token(first)).status_code == 200

    second = app_login(Client(), user.email).json()["meta"]["session_token"]
    replay = app_post(Client(), "auth/2fa/authenticate", {"code": code}, **session_token(second))

    assert replay.status_code == 400


def test_a_recovery_code_signs_in_once(enrolled_student):
    # Given a learner who lost their phone and holds their recovery codes
    user, _secret = enrolled_student
    codes = recovery_codes_of(user)

    # When they sign in with one of them
    pending = session_token(app_login(Client(), user.email).json()["meta"]["session_token"])
    used = app_post(Client(), "auth/2fa/authenticate", {"code": codes[0]}, **pending)

    # Then they are in, and that code is spent
    assert used.status_code == 200
    assert "access_token" in used.json()["meta"]
    assert codes[0] not in recovery_codes_of(user)
    assert len(recovery_codes_of(user)) == 9

    # When the same code is tried again, then it is refused
    again = session_token(app_login(Client(), user.email).json()["meta"]["session_token"])
    reused = app_post(Client(), "auth/2fa/authenticate", {"code": codes[0]}, **again)
    assert reused.status_code == 400
    assert reused.json()["errors"][0]["code"] == "incorrect_code"
    # while another unused code still works
    assert app_post(Client(), "auth/2fa/authenticate", {"code": codes[1]}, **again).status_code == 200


def test_learners_without_an_authenticator_sign_in_with_the_password_alone(clock, app_client, verified_student):
    response = app_login(app_client, verified_student.email)

    assert response.status_code == 200
    assert "access_token" in response.json()["meta"]
    assert response.json()["data"]["user"]["mfa_enrolment_required"] is False


# --- Code guessing --------------------------------------------------------------------------------


@pytest.fixture
def tight_code_limits(settings):
    settings.ACCOUNTS_RATE_LIMITS = {**settings.ACCOUNTS_RATE_LIMITS, "mfa_code": {"ip": "100/m", "account": "3/5m"}}


def test_code_guessing_is_limited_per_account_even_across_new_sign_ins(enrolled_student, tight_code_limits):
    user, secret = enrolled_student
    # Given three wrong guesses, each from a fresh password sign-in (as an attacker holding the password would)
    for guess in ("111111", "222222", "333333"):
        pending = session_token(app_login(Client(), user.email).json()["meta"]["session_token"])
        assert app_post(Client(), "auth/2fa/authenticate", {"code": guess}, **pending).status_code == 400

    # When a fourth attempt comes, even with the right code
    pending = session_token(app_login(Client(), user.email).json()["meta"]["session_token"])
    limited = app_post(Client(), "auth/2fa/authenticate", {"code": totp_code(secret)}, **pending)

    # Then it is refused before the code is looked at: 429 with Retry-After, no token
    assert limited.status_code == 429
    assert limited.json() == {"detail": "Too many requests. Try again later.", "code": "rate_limited"}
    assert 0 < int(limited["Retry-After"]) <= 300
    # and the browser client shares the same per-account budget
    browser = Client()
    browser.post("/_allauth/browser/v1/auth/login", {"email": user.email, "password": PASSWORD}, JSON)
    assert browser.post("/_allauth/browser/v1/auth/2fa/authenticate", {"code": "444444"}, JSON).status_code == 429


def test_code_guessing_is_limited_per_ip_across_accounts(enrolled_student, settings, make_user):
    settings.ACCOUNTS_RATE_LIMITS = {**settings.ACCOUNTS_RATE_LIMITS, "mfa_code": {"ip": "2/m", "account": "100/m"}}
    user, _secret = enrolled_student
    client = Client()
    for _ in range(2):
        pending = session_token(app_login(client, user.email).json()["meta"]["session_token"])
        assert app_post(client, "auth/2fa/authenticate", {"code": "111111"}, **pending).status_code == 400

    # A made-up session token (no account to key on) from the same address is limited all the same
    limited = app_post(client, "auth/2fa/authenticate", {"code": "111111"}, **session_token("not-a-session"))

    assert limited.status_code == 429
    assert limited.has_header("Retry-After")


def test_reauthentication_codes_are_limited_too(enrolled_student, tight_code_limits):
    # Given someone holding a signed-in learner's token, guessing codes to pass re-authentication
    user, secret = enrolled_student
    pending = session_token(app_login(Client(), user.email).json()["meta"]["session_token"])
    access = app_post(Client(), "auth/2fa/authenticate", {"code": totp_code(secret)}, **pending).json()["meta"][
        "access_token"
    ]
    for guess in ("111111", "222222"):
        assert app_post(Client(), "auth/2fa/reauthenticate", {"code": guess}, **bearer(access)).status_code == 400

    # When they go on guessing (the sign-in above spent the first of the three attempts)
    limited = app_post(Client(), "auth/2fa/reauthenticate", {"code": "333333"}, **bearer(access))

    # Then they are stopped
    assert limited.status_code == 429
    assert limited.has_header("Retry-After")
