"""Email and password through allauth headless: sign-up, verification, login, refresh, logout, reset."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from accounts.models import User
from accounts.tests.conftest import PASSWORD, app_login, bearer

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-better-passphrase-42"


def _signup(client: Client, email: str = "new@example.com", password: str = PASSWORD):
    return client.post(
        "/_allauth/app/v1/auth/signup", {"email": email, "password": password}, content_type="application/json"
    )


def _key_from_last_mail(pattern: str) -> str:
    match = re.search(pattern + r"([^\s/]+)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return unquote(match.group(1))


def test_signup_with_mandatory_verification_then_verify_logs_in(settings, app_client):
    # Given production-like settings: verification is mandatory
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"

    # When someone signs up
    response = _signup(app_client)

    # Then a student exists but is not signed in until the emailed link is followed
    assert response.status_code == 401
    body = response.json()
    assert any(flow["id"] == "verify_email" and flow.get("is_pending") for flow in body["data"]["flows"])
    assert "access_token" not in body["meta"]
    user = User.objects.get(email="new@example.com")
    assert user.role == "student" and user.onboarding_required
    key = _key_from_last_mail("http://localhost:3000/auth/verify-email/")

    # When the frontend posts the key from the link
    verified = app_client.post(
        "/_allauth/app/v1/auth/email/verify",
        {"key": key},
        content_type="application/json",
        HTTP_X_SESSION_TOKEN=body["meta"]["session_token"],
    )

    # Then the address is verified and the app receives its tokens
    assert verified.status_code == 200, verified.content
    assert EmailAddress.objects.get(user=user).verified
    access = verified.json()["meta"]["access_token"]
    assert app_client.get("/api/auth/me/", **bearer(access)).json()["email"] == "new@example.com"


def test_signup_with_optional_verification_signs_in_at_once(settings, app_client):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"

    response = _signup(app_client, email="dev@example.com")

    assert response.status_code == 200
    assert response.json()["meta"]["access_token"]
    assert len(mail.outbox) == 1  # the verification mail is still sent


def test_signup_refuses_a_taken_email_and_weak_passwords(app_client, verified_student):
    taken = _signup(app_client, email="ASHA@example.com")
    weak = _signup(app_client, email="other@example.com", password="123")

    assert taken.status_code == 400
    assert weak.status_code == 400
    assert {e["param"] for e in weak.json()["errors"]} == {"password"}
    assert User.objects.count() == 1


def test_password_login_can_be_switched_off(settings, app_client, verified_student):
    settings.ACCOUNTS_PASSWORD_LOGIN_ENABLED = False
    settings.SOCIALACCOUNT_ONLY = True

    signup = _signup(app_client, email="nope@example.com")
    login = app_login(app_client, verified_student.email)

    assert signup.status_code == 404
    assert login.status_code == 404
    assert "meta" not in login.json()
    assert not User.objects.filter(email="nope@example.com").exists()


def test_login_with_a_wrong_password_is_refused(app_client, verified_student):
    response = app_login(app_client, verified_student.email, password="wrong-password")

    assert response.status_code == 400
    assert "meta" not in response.json() or "access_token" not in response.json()["meta"]


def test_refresh_rotates_and_the_old_refresh_token_stops_working(app_client, app_tokens):
    # When the app refreshes
    refreshed = app_client.post(
        "/_allauth/app/v1/tokens/refresh",
        {"refresh_token": app_tokens["refresh_token"]},
        content_type="application/json",
    )

    # Then it gets a new pair that works, and the old refresh token is spent
    assert refreshed.status_code == 200, refreshed.content
    data = refreshed.json()["data"]
    assert app_client.get("/api/auth/me/", **bearer(data["access_token"])).status_code == 200
    replay = app_client.post(
        "/_allauth/app/v1/tokens/refresh",
        {"refresh_token": app_tokens["refresh_token"]},
        content_type="application/json",
    )
    assert replay.status_code == 400


def test_logout_revokes_the_access_and_refresh_tokens(app_client, app_tokens):
    # When the app logs out
    response = app_client.delete("/_allauth/app/v1/auth/session", **bearer(app_tokens["access_token"]))

    # Then neither token is accepted any more
    assert response.status_code == 401  # allauth answers "not authenticated" after a logout
    me = app_client.get("/api/auth/me/", **bearer(app_tokens["access_token"]))
    assert me.status_code == 401
    assert me.json()["code"] == "invalid_token"
    refresh = app_client.post(
        "/_allauth/app/v1/tokens/refresh",
        {"refresh_token": app_tokens["refresh_token"]},
        content_type="application/json",
    )
    assert refresh.status_code == 400


def test_password_reset_by_emailed_key(app_client, verified_student):
    # Given a user who forgot their password asks for a reset
    request = app_client.post(
        "/_allauth/app/v1/auth/password/request", {"email": verified_student.email}, content_type="application/json"
    )
    assert request.status_code == 200
    key = _key_from_last_mail("http://localhost:3000/auth/password/reset/key/")

    # When the frontend posts the key with a new password
    reset = app_client.post(
        "/_allauth/app/v1/auth/password/reset", {"key": key, "password": NEW_PASSWORD}, content_type="application/json"
    )

    # Then only the new password logs in
    assert reset.status_code in (200, 401), reset.content
    assert app_login(Client(), verified_student.email).status_code == 400
    assert app_login(Client(), verified_student.email, password=NEW_PASSWORD).status_code == 200


def test_browser_client_uses_the_session_cookie_with_csrf(verified_student):
    # Given a SPA that signs in through the browser client
    browser = Client(enforce_csrf_checks=True)
    browser.get("/_allauth/browser/v1/config")  # sets the csrftoken cookie
    csrf = browser.cookies["csrftoken"].value
    login = browser.post(
        "/_allauth/browser/v1/auth/login",
        {"email": verified_student.email, "password": PASSWORD},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert login.status_code == 200, login.content
    assert "access_token" not in login.json()["meta"]  # browsers get a session, never tokens

    # Then the API accepts the session; writes need the CSRF header
    assert browser.get("/api/auth/me/").json()["email"] == verified_student.email
    csrf = browser.cookies["csrftoken"].value
    no_csrf = browser.patch("/api/auth/me/", {"branch": "CSE"}, content_type="application/json")
    with_csrf = browser.patch(
        "/api/auth/me/", {"branch": "CSE"}, content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert no_csrf.status_code == 403
    assert with_csrf.status_code == 200
    assert with_csrf.json()["branch"] == "CSE"
