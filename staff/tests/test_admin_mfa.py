"""Two-factor authentication on the admin site: the second step of sign-in, and enrolment when required."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client

from accounts.tests.conftest import JSON, MONDAY_MORNING, totp_code
from audit.models import AuditLog

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # set by the root make_user fixture
LOGIN = "/admin/login/?next=/admin/"
CODE_PAGE = "/admin/mfa/authenticate/"
SETUP = "/admin/mfa/setup/"


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY_MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def admin_with_totp(clock, make_user):
    """An admin who enrolled an authenticator app (through allauth's own activation); returns (user, secret)."""
    user = make_user("admin", email="anil@example.com", full_name="Anil Admin")
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return user, secret


def password_step(client: Client, user):
    return client.post(LOGIN, {"username": user.email, "password": PASSWORD})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- Signing in with the second factor ------------------------------------------------------------


def test_an_admin_with_totp_must_enter_the_code_and_is_not_signed_in_before(admin_with_totp):
    user, secret = admin_with_totp
    client = Client()

    # When the admin passes the password step
    response = password_step(client, user)

    # Then they are sent to the code page, and no session is signed in: not the admin, not the API
    assert response.status_code == 302
    assert response["Location"] == CODE_PAGE
    assert not signed_in(client)
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    assert client.get("/api/auth/me/").status_code == 401
    assert client.get("/_allauth/browser/v1/auth/session").status_code == 401

    # When they enter a wrong code, then they stay signed out
    wrong = client.post(CODE_PAGE, {"code": "000000"})
    assert wrong.status_code == 200
    assert "Incorrect code." in wrong.content.decode()
    assert not signed_in(client)

    # When they enter the code their app shows, then they land on the dashboard, signed in
    done = client.post(CODE_PAGE, {"code": totp_code(secret)})
    assert done.status_code == 302
    assert done["Location"] == "/admin/"
    assert signed_in(client)
    assert client.get("/admin/").status_code == 200
    assert Authenticator.objects.get(user=user, type="totp").last_used_at is not None


def test_the_second_step_keeps_the_page_the_admin_asked_for(admin_with_totp):
    user, secret = admin_with_totp
    client = Client()
    client.post("/admin/login/?next=/admin/accounts/user/", {"username": user.email, "password": PASSWORD})

    done = client.post(CODE_PAGE, {"code": totp_code(secret)})

    assert done["Location"] == "/admin/accounts/user/"


def test_a_recovery_code_signs_an_admin_in_once(admin_with_totp):
    user, _secret = admin_with_totp
    code = Authenticator.objects.get(user=user, type="recovery_codes").wrap().get_unused_codes()[0]
    first = Client()
    password_step(first, user)
    assert first.post(CODE_PAGE, {"code": code})["Location"] == "/admin/"

    second = Client()
    password_step(second, user)
    reused = second.post(CODE_PAGE, {"code": code})

    assert reused.status_code == 200
    assert not signed_in(second)
    assert code not in Authenticator.objects.get(user=user, type="recovery_codes").wrap().get_unused_codes()


def test_the_code_page_without_a_password_step_goes_back_to_the_login(admin_with_totp):
    _user, secret = admin_with_totp
    client = Client()

    response = client.post(CODE_PAGE, {"code": totp_code(secret)})

    assert response["Location"] == "/admin/login/"
    assert not signed_in(client)


def test_the_password_step_expires(admin_with_totp, clock):
    user, secret = admin_with_totp
    client = Client()
    password_step(client, user)

    clock.shift(datetime.timedelta(minutes=16))  # allauth's sign-in time limit is 15 minutes
    response = client.post(CODE_PAGE, {"code": totp_code(secret)})

    assert response["Location"] == "/admin/login/"
    assert not signed_in(client)


def test_code_guessing_on_the_admin_site_is_limited(admin_with_totp, settings):
    settings.ACCOUNTS_RATE_LIMITS = {**settings.ACCOUNTS_RATE_LIMITS, "mfa_code": {"ip": "100/m", "account": "3/5m"}}
    user, secret = admin_with_totp
    # Given one wrong guess through the headless API (the same account's budget) and two on the admin site
    headless = Client()
    headless.post("/_allauth/browser/v1/auth/login", {"email": user.email, "password": PASSWORD}, JSON)
    assert headless.post("/_allauth/browser/v1/auth/2fa/authenticate", {"code": "000000"}, JSON).status_code == 400
    client = Client()
    password_step(client, user)
    for guess in ("111111", "222222"):
        assert client.post(CODE_PAGE, {"code": guess}).status_code == 200

    # When the next code comes, even the right one
    limited = client.post(CODE_PAGE, {"code": totp_code(secret)})

    # Then it is refused unread

    assert limited.status_code == 429
    assert limited.has_header("Retry-After")
    assert not signed_in(client)


def test_an_enrolled_admin_is_asked_for_the_code_with_the_rule_off_too(settings, admin_with_totp):
    settings.STAFF_MFA_REQUIRED = False
    user, _secret = admin_with_totp

    assert password_step(Client(), user)["Location"] == CODE_PAGE


# --- Enrolment ------------------------------------------------------------------------------------


@pytest.fixture
def admin_without_totp(clock, make_user):
    return make_user("admin", email="neha@example.com", full_name="Neha Admin")


def test_with_the_rule_on_an_admin_without_totp_is_held_on_the_setup_page(settings, admin_without_totp):
    settings.STAFF_MFA_REQUIRED = True
    client = Client()

    # When the admin signs in with the password (the only factor they have)
    assert password_step(client, admin_without_totp)["Location"] == "/admin/"

    # Then every admin page sends them to the set-up page, which shows a fresh secret
    assert client.get("/admin/")["Location"] == f"{SETUP}?next=%2Fadmin%2F"
    assert client.get("/admin/accounts/user/")["Location"] == f"{SETUP}?next=%2Fadmin%2Faccounts%2Fuser%2F"
    page = client.get(SETUP)
    assert page.status_code == 200
    secret = page.context["secret"]
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert "<svg" in page.content.decode()

    # When they confirm with a wrong password, then nothing is enrolled
    wrong = client.post(SETUP, {"password": "not-my-password", "code": totp_code(secret), "next": "/admin/"})
    assert wrong.status_code == 200
    assert "The password is not correct." in wrong.content.decode()
    assert not Authenticator.objects.filter(user=admin_without_totp).exists()

    # When they confirm with their password and the app's code
    done = client.post(SETUP, {"password": PASSWORD, "code": totp_code(secret), "next": "/admin/"})

    # Then TOTP and recovery codes are active, the codes are shown, and the admin site opens
    assert done.status_code == 200
    assert set(Authenticator.objects.filter(user=admin_without_totp).values_list("type", flat=True)) == {
        "totp",
        "recovery_codes",
    }
    codes = Authenticator.objects.get(user=admin_without_totp, type="recovery_codes").wrap().get_unused_codes()
    assert done.context["recovery_codes"] == codes
    assert all(code in done.content.decode() for code in codes)
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_enrols_nothing(settings, admin_without_totp):
    settings.STAFF_MFA_REQUIRED = True
    client = Client()
    password_step(client, admin_without_totp)
    client.get(SETUP)

    response = client.post(SETUP, {"password": PASSWORD, "code": "000000"})

    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert not Authenticator.objects.filter(user=admin_without_totp).exists()
    assert client.get("/admin/").status_code == 302


def test_password_guessing_on_the_setup_page_is_limited(settings, admin_without_totp):
    settings.ACCOUNTS_RATE_LIMITS = {**settings.ACCOUNTS_RATE_LIMITS, "mfa_code": {"ip": "100/m", "account": "3/5m"}}
    settings.STAFF_MFA_REQUIRED = True
    client = Client()
    password_step(client, admin_without_totp)
    secret = client.get(SETUP).context["secret"]
    for guess in ("guess-1", "guess-2", "guess-3"):
        assert client.post(SETUP, {"password": guess, "code": totp_code(secret)}).status_code == 200

    limited = client.post(SETUP, {"password": PASSWORD, "code": totp_code(secret)})

    assert limited.status_code == 429
    assert limited.has_header("Retry-After")
    assert not Authenticator.objects.filter(user=admin_without_totp).exists()


def test_an_admin_held_on_the_setup_page_can_sign_out(settings, admin_without_totp):
    settings.STAFF_MFA_REQUIRED = True
    client = Client()
    password_step(client, admin_without_totp)

    response = client.post("/admin/logout/")

    assert response.status_code == 200
    assert not signed_in(client)


def test_with_the_rule_off_an_admin_without_totp_uses_the_admin_site(settings, admin_without_totp):
    settings.STAFF_MFA_REQUIRED = False
    client = Client()

    assert password_step(client, admin_without_totp)["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


# --- The authenticators in the admin --------------------------------------------------------------


def test_authenticators_are_listed_and_deletable_but_their_secrets_never_shown_or_exported(admin_with_totp, make_user):
    # Given an enrolled admin (with its secret) and another admin looking at the authenticators
    user, secret = admin_with_totp
    colleague = make_user("admin", email="ravi@example.com")
    client = Client()
    client.force_login(colleague)
    totp = Authenticator.objects.get(user=user, type="totp")

    # When they open the list and the record, and export the rows as CSV
    listing = client.get("/admin/mfa/authenticator/")
    record = client.get(f"/admin/mfa/authenticator/{totp.pk}/change/")
    export = client.post(
        "/admin/mfa/authenticator/",
        {"action": "export_selected_as_csv", "_selected_action": [str(a.pk) for a in Authenticator.objects.all()]},
    )

    # Then the authenticators are there, and the secret is nowhere
    assert listing.status_code == 200
    assert "Anil Admin" in listing.content.decode()
    assert record.status_code == 200
    assert secret not in record.content.decode()
    csv_text = b"".join(export.streaming_content).decode()
    assert csv_text.splitlines()[0] == "id,user_id,type,created_at,last_used_at"
    assert secret not in csv_text
    # and nothing can be added or edited by hand
    assert client.get("/admin/mfa/authenticator/add/").status_code == 403

    # When they delete the admin's authenticators (lost phone and codes), then the password signs in again
    deleted = client.post(
        "/admin/mfa/authenticator/",
        {
            "action": "delete_selected",
            "_selected_action": [str(a.pk) for a in Authenticator.objects.filter(user=user)],
            "post": "yes",
        },
    )
    assert deleted.status_code == 302
    assert not Authenticator.objects.filter(user=user).exists()
    assert AuditLog.objects.filter(action="user.mfa_reset", target_id=str(user.pk)).count() == 1
    assert password_step(Client(), user)["Location"] == "/admin/"


def test_any_admin_finds_the_setup_page_among_the_user_links(settings, admin_without_totp):
    settings.STAFF_MFA_REQUIRED = False
    client = Client()
    client.force_login(admin_without_totp)

    index = client.get("/admin/").content.decode()
    setup = client.get(SETUP)

    assert f'href="{SETUP}" id="mfa-setup-link"' in index
    assert setup.status_code == 200
    assert "mfa-required" not in setup.content.decode()  # offered, not imposed
