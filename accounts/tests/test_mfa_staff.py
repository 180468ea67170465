"""Staff (role admin) must have an authenticator app before using the API when STAFF_MFA_REQUIRED is on."""

from __future__ import annotations

import os
import subprocess
import sys

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
    session_token,
    totp_code,
)
from common.tests.test_settings import BASE_DIR, STRONG_SECRET

pytestmark = pytest.mark.django_db

MFA_REQUIRED_BODY = {
    "detail": "Administrators must set up two-factor authentication (an authenticator app) before using the API.",
    "code": "mfa_required",
}


@pytest.fixture
def staff_mfa_required(settings):
    settings.STAFF_MFA_REQUIRED = True


@pytest.fixture
def verified_admin(make_verified_user):
    return make_verified_user("admin", email="anil@example.com", full_name="Anil Admin")


@pytest.fixture
def admin_tokens(clock, verified_admin):
    response = app_login(Client(), verified_admin.email)
    assert response.status_code == 200, response.content
    return response.json()["meta"]


def test_an_admin_without_totp_is_refused_on_the_admin_api_and_told_to_enrol(staff_mfa_required, admin_tokens):
    # Given an admin who signed in with the password and has no authenticator app
    access = admin_tokens["access_token"]

    # When they call the admin API, or any other route where admin powers apply
    users = Client().get("/api/admin/users/", **bearer(access))
    me = Client().get("/api/auth/me/", **bearer(access))

    # Then both are 403 with the distinct code the frontend acts on
    assert users.status_code == 403
    assert users.json() == MFA_REQUIRED_BODY
    assert me.status_code == 403
    assert me.json()["code"] == "mfa_required"


def test_the_session_endpoint_tells_the_frontend_that_enrolment_is_required(staff_mfa_required, admin_tokens):
    response = Client().get("/_allauth/app/v1/auth/session", **bearer(admin_tokens["access_token"]))

    assert response.status_code == 200
    assert response.json()["data"]["user"]["mfa_enrolment_required"] is True


def test_an_admin_who_enrols_through_the_headless_api_gets_in(staff_mfa_required, admin_tokens, verified_admin):
    # Given an admin refused for want of a second factor
    client = Client()
    access = admin_tokens["access_token"]
    assert client.get("/api/admin/users/", **bearer(access)).status_code == 403

    # When they enrol an authenticator app through allauth's endpoints (open to them)
    enrol_with_app_client(client, access)

    # Then the admin API answers, with the same token
    response = client.get("/api/admin/users/", **bearer(access))
    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert Authenticator.objects.filter(user=verified_admin, type="totp").exists()


def test_an_enrolled_admin_must_give_the_code_at_sign_in_and_then_uses_the_admin_api(
    staff_mfa_required, clock, admin_tokens
):
    secret = enrol_with_app_client(Client(), admin_tokens["access_token"])
    clock.shift(30)

    # When the admin signs in again with the password alone, then no token exists yet
    login = app_login(Client(), "anil@example.com")
    assert login.status_code == 401
    assert "access_token" not in login.json()["meta"]

    # When they add the code, then the admin API answers
    pending = session_token(login.json()["meta"]["session_token"])
    done = app_post(Client(), "auth/2fa/authenticate", {"code": totp_code(secret)}, **pending)
    assert done.status_code == 200
    assert Client().get("/api/admin/users/", **bearer(done.json()["meta"]["access_token"])).status_code == 200


def test_a_browser_session_of_an_admin_without_totp_is_refused(staff_mfa_required, clock, verified_admin):
    browser = Client()
    login = browser.post("/_allauth/browser/v1/auth/login", {"email": verified_admin.email, "password": PASSWORD}, JSON)
    assert login.status_code == 200  # signing in stays possible: enrolment needs a session

    response = browser.get("/api/admin/users/")

    assert response.status_code == 403
    assert response.json() == MFA_REQUIRED_BODY


def test_with_the_rule_off_an_admin_without_totp_uses_the_api(settings, admin_tokens):
    settings.STAFF_MFA_REQUIRED = False

    response = Client().get("/api/admin/users/", **bearer(admin_tokens["access_token"]))

    assert response.status_code == 200


@pytest.mark.parametrize("role", ["student", "instructor"])
def test_learners_and_instructors_without_totp_are_unaffected(staff_mfa_required, clock, make_user, role):
    user = make_user(role, email=f"{role}@example.com")
    access = app_login(Client(), user.email).json()["meta"]["access_token"]

    response = Client().get("/api/auth/me/", **bearer(access))

    assert response.status_code == 200
    assert response.json()["role"] == role


# --- Settings -------------------------------------------------------------------------------------


def _staff_mfa_required(**env) -> str:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "STAFF_MFA"))}
    full_env.update({"DJANGO_SETTINGS_MODULE": "config.settings", **env})
    program = "import django; django.setup(); from django.conf import settings as s; "
    program += "print(s.STAFF_MFA_REQUIRED, s.MFA_TOTP_ISSUER)"
    out = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", program],
        cwd=BASE_DIR,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_staff_mfa_is_required_in_production_and_optional_in_development():
    production = {
        "DEBUG": "false",
        "SECRET_KEY": STRONG_SECRET,
        "ALLOWED_HOSTS": "api.example.com",
        "JWT_PRIVATE_KEY": (BASE_DIR / "config" / "dev_jwt_private_key.pem").read_text(),
    }

    assert _staff_mfa_required(**production) == "True Desired Career Academy"
    assert _staff_mfa_required(**production, STAFF_MFA_REQUIRED="false") == "False Desired Career Academy"
    # an empty value (a copied .env.example) keeps the production default
    assert _staff_mfa_required(**production, STAFF_MFA_REQUIRED="").startswith("True")
    assert _staff_mfa_required(DEBUG="true") == "False Desired Career Academy"
    assert _staff_mfa_required(DEBUG="true", STAFF_MFA_REQUIRED="true").startswith("True")
