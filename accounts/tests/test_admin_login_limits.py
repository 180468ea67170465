"""The admin site's sign-in form has the API's sign-in limits, on the same counters (issue #15, item 2)."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.tests.conftest import PASSWORD, app_login

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture(autouse=True)
def tight_limits(settings):
    settings.ACCOUNTS_RATE_LIMITS = {"login": {"ip": "4/m", "account": "2/m"}}


@pytest.fixture
def superuser(make_user):
    return make_user("admin", email="root@example.com")


def _admin_login(client: Client, email: str, password: str):
    return client.post(LOGIN, {"username": email, "password": password})


def _assert_limited_page(response):
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert 0 < int(response["Retry-After"]) <= 60
    assert "Too many sign-in attempts" in response.content.decode()


def test_wrong_passwords_then_the_right_one_does_not_sign_in(superuser):
    # Given two wrong passwords for the superuser, from two addresses
    for ip in ("10.5.0.1", "10.5.0.2"):
        response = _admin_login(Client(REMOTE_ADDR=ip), superuser.email, "guess")
        assert response.status_code == 200  # the form again, with its error

    # When the right password comes from a third address
    client = Client(REMOTE_ADDR="10.5.0.3")
    response = _admin_login(client, superuser.email.upper(), PASSWORD)

    # Then the 429 page answers and no one is signed in
    _assert_limited_page(response)
    assert client.get("/admin/").status_code == 302


def test_api_failures_and_admin_failures_share_the_account_budget(superuser):
    assert app_login(Client(REMOTE_ADDR="10.5.1.1"), superuser.email, password="guess").status_code == 400
    assert _admin_login(Client(REMOTE_ADDR="10.5.1.2"), superuser.email, "guess").status_code == 200

    _assert_limited_page(_admin_login(Client(REMOTE_ADDR="10.5.1.3"), superuser.email, PASSWORD))
    assert app_login(Client(REMOTE_ADDR="10.5.1.4"), superuser.email).status_code == 429


def test_the_admin_form_is_limited_per_ip_across_accounts(db):
    client = Client(REMOTE_ADDR="10.5.2.1")
    for n in range(4):
        assert _admin_login(client, f"admin{n}@example.com", "guess").status_code == 200
    _assert_limited_page(_admin_login(client, "admin9@example.com", "guess"))


def test_successful_admin_sign_ins_do_not_count(superuser):
    for n in range(3):
        client = Client(REMOTE_ADDR=f"10.5.3.{n}")
        response = _admin_login(client, superuser.email, PASSWORD)
        assert response.status_code == 302 and response["Location"] == "/admin/"
    assert _admin_login(Client(REMOTE_ADDR="10.5.3.9"), superuser.email, "typo").status_code == 200
    client = Client(REMOTE_ADDR="10.5.3.10")
    assert _admin_login(client, superuser.email, PASSWORD).status_code == 302
    assert client.get("/admin/").status_code == 200
