"""A suspended user is refused at every login and with every old token or session; unsuspending restores access."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts import services
from accounts.tests.conftest import PASSWORD, app_login, bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def suspend(admin_user):
    def do(user):
        return services.user_suspend(actor=admin_user, user=user, reason="Spam in the forum")

    return do


def test_password_login_of_a_suspended_user_is_refused(app_client, verified_student, suspend):
    suspend(verified_student)

    response = app_login(app_client, verified_student.email)

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "account_suspended"
    assert "meta" not in body  # no tokens


def test_browser_login_of_a_suspended_user_is_refused(verified_student, suspend):
    suspend(verified_student)
    browser = Client()

    response = browser.post(
        "/_allauth/browser/v1/auth/login",
        {"email": verified_student.email, "password": PASSWORD},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert response.json()["code"] == "account_suspended"
    assert browser.get("/_allauth/browser/v1/auth/session").status_code == 401


def test_an_old_access_token_is_refused_on_the_api_and_on_allauth(client, app_tokens, verified_student, suspend):
    # Given a user holding valid tokens who is then suspended
    suspend(verified_student)

    # When they use them
    api = client.get("/api/auth/me/", **bearer(app_tokens["access_token"]))
    session = client.get("/_allauth/app/v1/auth/session", **bearer(app_tokens["access_token"]))
    refresh = client.post(
        "/_allauth/app/v1/tokens/refresh",
        {"refresh_token": app_tokens["refresh_token"]},
        content_type="application/json",
    )

    # Then each is refused with account_suspended and no new token is minted
    assert api.status_code == 403
    assert api.json() == {"detail": "This account is suspended.", "code": "account_suspended"}
    assert session.status_code == 403
    assert session.json()["code"] == "account_suspended"
    assert refresh.status_code == 403
    assert "data" not in refresh.json()


def test_an_old_browser_session_is_refused(verified_student, suspend):
    browser = Client()
    browser.post(
        "/_allauth/browser/v1/auth/login",
        {"email": verified_student.email, "password": PASSWORD},
        content_type="application/json",
    )
    suspend(verified_student)

    assert browser.get("/api/auth/me/").json()["code"] == "account_suspended"
    assert browser.get("/_allauth/browser/v1/auth/session").status_code == 403
    # Signing out remains possible
    assert browser.delete("/_allauth/browser/v1/auth/session").status_code == 401
    assert browser.get("/api/auth/me/").status_code == 401


def test_unsuspending_restores_access_with_the_same_password_and_tokens(
    client, app_tokens, verified_student, suspend, admin_user
):
    suspend(verified_student)
    services.user_unsuspend(actor=admin_user, user=verified_student)

    assert client.get("/api/auth/me/", **bearer(app_tokens["access_token"])).status_code == 200
    assert app_login(Client(), verified_student.email).status_code == 200


def test_a_suspended_admin_cannot_sign_in_to_the_admin_site(make_user, admin_user):
    other_admin = make_user("admin", email="root2@example.com")
    services.user_suspend(actor=admin_user, user=other_admin, reason="Compromised")
    browser = Client()

    response = browser.post("/admin/login/", {"username": other_admin.email, "password": PASSWORD})

    assert response.status_code == 200  # the form again, with an error
    assert b"suspended" in response.content
    assert browser.get("/admin/").status_code == 302
