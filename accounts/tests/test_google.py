"""Google sign-in, both flows, with Google faked at the HTTP boundary (token, user-info, certs)."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client

from accounts.models import User
from accounts.tests.conftest import GOOGLE_CLIENT_ID, GOOGLE_KID, bearer, google_redirect_login, google_token_login

pytestmark = pytest.mark.django_db


def test_first_google_token_login_creates_a_student_needing_onboarding(app_client, fake_google, make_id_token):
    # Given a Google id_token for someone the platform has never seen
    id_token = make_id_token(sub="g-100", email="Priya@Example.com", name="Priya Sharma")

    # When the app exchanges it
    response = google_token_login(app_client, id_token)

    # Then a student exists with Google's name and a verified email, and the app holds JWTs
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["data"]["user"]["onboarding_required"] is True
    user = User.objects.get(email__iexact="priya@example.com")
    assert (user.role, user.full_name, user.is_staff) == ("student", "Priya Sharma", False)
    assert EmailAddress.objects.get(user=user).verified
    assert SocialAccount.objects.get(user=user).uid == "g-100"
    me = app_client.get("/api/auth/me/", **bearer(body["meta"]["access_token"]))
    assert me.json()["onboarding_required"] is True


def test_second_google_login_reuses_the_account(app_client, fake_google, make_id_token):
    # Given a user who signed in with Google once and completed onboarding
    google_token_login(app_client, make_id_token(sub="g-200", email="ravi@example.com"))
    User.objects.filter(email="ravi@example.com").update(onboarding_completed_at="2026-01-01T00:00:00Z")

    # When they sign in again from another device
    response = google_token_login(Client(), make_id_token(sub="g-200", email="ravi@example.com"))

    # Then it is the same single account and onboarding is not asked again
    assert response.status_code == 200
    assert response.json()["data"]["user"]["onboarding_required"] is False
    assert User.objects.filter(email__iexact="ravi@example.com").count() == 1


def test_google_login_with_a_known_verified_email_links_to_that_account(app_client, fake_google, make_id_token):
    # Given an existing instructor who signed up with email and password
    existing = User.objects.create_user(email="meera@example.com", password="pw-123456789", role="instructor")
    EmailAddress.objects.create(user=existing, email=existing.email, verified=True, primary=True)

    # When they sign in with Google using the same (Google-verified) address
    response = google_token_login(app_client, make_id_token(sub="g-300", email="MEERA@example.com"))

    # Then they are logged into that account, which keeps its role, and Google is now connected to it
    assert response.status_code == 200, response.content
    assert response.json()["data"]["user"]["id"] == str(existing.pk)
    assert User.objects.count() == 1
    assert SocialAccount.objects.get(uid="g-300").user_id == existing.pk
    existing.refresh_from_db()
    assert existing.role == "instructor"


def test_id_token_signed_by_another_key_is_refused(app_client, fake_google, make_id_token):
    # Given an id_token whose signature does not come from Google's published key
    import jwt

    forged_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    genuine = jwt.decode(make_id_token(), options={"verify_signature": False})
    forged = jwt.encode(genuine, forged_key, algorithm="RS256", headers={"kid": GOOGLE_KID})

    # When it is presented
    response = google_token_login(app_client, forged)

    # Then nobody is signed in or created
    assert response.status_code == 400
    assert "access_token" not in response.json().get("meta", {})
    assert not User.objects.exists()


def test_id_token_for_another_client_is_refused(app_client, fake_google, make_id_token):
    response = google_token_login(app_client, make_id_token(aud="someone-elses-app"))
    assert response.status_code == 400
    assert not User.objects.exists()


def test_browser_redirect_flow_sends_a_new_user_to_onboarding(client, fake_google, make_id_token):
    # Given Google's token endpoint returns an id_token for a new user
    token_response = {
        "access_token": "google-access",
        "expires_in": 3600,
        "token_type": "Bearer",
        "id_token": make_id_token(sub="g-400", email="neha@example.com", name="Neha Rao"),
    }

    # When the browser comes back to the callback
    response = google_redirect_login(client, fake_google, token_response=token_response)

    # Then it lands on the frontend's onboarding page, signed in by the session cookie
    assert response.status_code == 302
    assert response["Location"].startswith("http://localhost:3000/auth/onboarding")
    session = client.get("/_allauth/browser/v1/auth/session").json()
    assert session["meta"]["is_authenticated"] is True
    assert client.get("/api/auth/me/").json()["email"] == "neha@example.com"


def test_browser_redirect_flow_with_userinfo_and_onboarded_user_returns_to_callback(client, fake_google, make_user):
    # Given an onboarded user, and Google answering without an id_token (profile from the user-info endpoint)
    user = make_user("student", email="kiran@example.com", onboarding_completed_at="2026-01-01T00:00:00Z")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    userinfo = {"id": "g-500", "email": "kiran@example.com", "verified_email": True, "name": "Kiran K"}

    # When they sign in through the redirect flow
    response = google_redirect_login(
        client,
        fake_google,
        token_response={"access_token": "google-access", "expires_in": 3600, "token_type": "Bearer"},
        userinfo=userinfo,
    )

    # Then they go back to the callback the frontend asked for, logged into their account
    assert response.status_code == 302
    assert response["Location"] == "http://localhost:3000/auth/callback"
    assert client.get("/api/auth/me/").json()["id"] == str(user.pk)
    assert fake_google.calls[-1].request.headers["Authorization"] == "Bearer google-access"


def test_google_redirect_for_a_suspended_user_goes_back_with_an_error(client, fake_google, make_user, make_id_token):
    make_user("student", email="sus@example.com", is_suspended=True)
    token_response = {
        "access_token": "a",
        "expires_in": 3600,
        "token_type": "Bearer",
        "id_token": make_id_token(sub="g-600", email="sus@example.com"),
    }

    response = google_redirect_login(client, fake_google, token_response=token_response)

    assert response.status_code == 302
    assert "error=account_suspended" in response["Location"]
    assert client.get("/_allauth/browser/v1/auth/session").status_code == 401


def test_google_token_login_of_a_suspended_user_is_refused(app_client, fake_google, make_user, make_id_token):
    make_user("student", email="sus@example.com", is_suspended=True)

    response = google_token_login(app_client, make_id_token(sub="g-700", email="sus@example.com"))

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "account_suspended"
    assert "meta" not in body


def test_google_client_id_setting_configures_the_provider(settings, app_client, fake_google, make_id_token):
    # Given the app is configured from GOOGLE_CLIENT_ID / SECRET instead of a SocialApp row
    from allauth.socialaccount.models import SocialApp

    SocialApp.objects.all().delete()
    settings.SOCIALACCOUNT_PROVIDERS = {
        "google": {"APPS": [{"client_id": GOOGLE_CLIENT_ID, "secret": "s", "key": ""}], "SCOPE": ["profile", "email"]}
    }

    response = google_token_login(app_client, make_id_token(sub="g-800", email="cfg@example.com"))

    assert response.status_code == 200, response.content


def test_linking_to_an_unverified_local_account_wipes_its_password(app_client, fake_google, make_id_token):
    # Given someone registered the victim's address with a password but never verified it
    squatter = User.objects.create_user(email="victim@example.com", password="squatter-password-1")
    EmailAddress.objects.create(user=squatter, email=squatter.email, verified=False, primary=True)

    # When the real owner signs in with Google
    response = google_token_login(app_client, make_id_token(sub="g-900", email="victim@example.com"))

    # Then the owner is in, and the squatter's password no longer works
    assert response.status_code == 200
    squatter.refresh_from_db()
    assert not squatter.has_usable_password()


def test_google_callback_without_a_configured_app_returns_to_the_frontend(client, db, settings):
    # Given no Google client in settings and no SocialApp row
    from allauth.socialaccount.models import SocialApp

    settings.SOCIALACCOUNT_PROVIDERS = {"google": {"SCOPE": ["profile", "email"]}}
    SocialApp.objects.all().delete()

    # When someone reaches the callback
    response = client.get("/accounts/google/login/callback/?code=x&state=y")

    # Then they are sent to the frontend's sign-in error page, never a 500
    assert response.status_code == 302
    assert response["Location"].endswith("/auth/provider/callback?error=unknown")
