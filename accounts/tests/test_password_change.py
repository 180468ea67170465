"""Changing the password through the app client: fresh tokens for the caller, other sign-ins ended (item 5)."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.tests.conftest import PASSWORD, app_login, bearer

pytestmark = pytest.mark.django_db

CHANGE = "/_allauth/app/v1/account/password/change"
NEW_PASSWORD = "a-much-better-passphrase-42"


def _works(access_token: str) -> bool:
    return Client().get("/api/auth/me/", **bearer(access_token)).status_code == 200


def _refresh(refresh_token: str):
    return Client().post("/_allauth/app/v1/tokens/refresh", {"refresh_token": refresh_token}, "application/json")


def test_changing_the_password_gives_the_caller_fresh_tokens_and_ends_other_sign_ins(app_tokens, verified_student):
    # Given the user signed in on a second device too
    other_device = app_login(Client(), verified_student.email).json()["meta"]

    # When they change their password from the first device
    response = Client().post(
        CHANGE,
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        content_type="application/json",
        **bearer(app_tokens["access_token"]),
    )

    # Then the answer carries a new token pair for this device, which works
    assert response.status_code == 200, response.content
    meta = response.json()["meta"]
    assert meta["is_authenticated"] is True
    assert meta["access_token"] != app_tokens["access_token"]
    assert _works(meta["access_token"])
    refreshed = _refresh(meta["refresh_token"])
    assert refreshed.status_code == 200, refreshed.content
    assert _works(refreshed.json()["data"]["access_token"])
    # And the tokens from before the change are dead, on this device and on the other one
    assert not _works(app_tokens["access_token"])
    assert _refresh(app_tokens["refresh_token"]).status_code == 400
    assert not _works(other_device["access_token"])
    assert _refresh(other_device["refresh_token"]).status_code == 400
    # And the new password is the one that signs in
    assert app_login(Client(), verified_student.email, password=NEW_PASSWORD).status_code == 200


def test_a_refused_password_change_keeps_the_tokens_and_issues_none(app_tokens):
    response = Client().post(
        CHANGE,
        {"current_password": "wrong", "new_password": NEW_PASSWORD},
        content_type="application/json",
        **bearer(app_tokens["access_token"]),
    )

    assert response.status_code == 400
    assert "access_token" not in response.json().get("meta", {})
    assert _works(app_tokens["access_token"])


def test_other_authenticated_requests_issue_no_tokens(app_tokens):
    response = Client().get("/_allauth/app/v1/auth/session", **bearer(app_tokens["access_token"]))
    assert response.status_code == 200
    assert "access_token" not in response.json()["meta"]
