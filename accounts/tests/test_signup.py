"""Sign-up with an address that already has an account, and concurrent sign-ups (issue #15, item 3)."""

from __future__ import annotations

import re
from pathlib import Path

import allauth
import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.test import Client

from accounts.models import User
from accounts.tests.conftest import PASSWORD
from tests.support.concurrency import returned, run_concurrently

SIGNUP = "/_allauth/app/v1/auth/signup"


def _signup(email: str, client: Client | None = None):
    return (client or Client()).post(SIGNUP, {"email": email, "password": PASSWORD}, content_type="application/json")


def _without_session_token(body: dict) -> dict:
    return {**body, "meta": {k: v for k, v in body["meta"].items() if k != "session_token"}}


def frontend_url_names_allauth_asks_for() -> set[str]:
    """Every name allauth's code passes to ``get_frontend_url`` (installed source, tests excluded)."""
    root = Path(allauth.__file__).parent
    asked = set()
    for source in root.rglob("*.py"):
        if "tests" in source.parts:
            continue
        asked |= set(re.findall(r"get_frontend_url\(\s*\w+,\s*\"([a-z_]+)\"", source.read_text()))
    return asked


def test_every_frontend_url_allauth_can_ask_for_is_configured():
    # allauth raises ImproperlyConfigured (a 500) for a missing HEADLESS_FRONTEND_URLS entry when HEADLESS_ONLY.
    asked = frontend_url_names_allauth_asks_for()
    assert "account_reset_password" in asked  # the scan finds what it looks for
    assert asked <= set(settings.HEADLESS_FRONTEND_URLS), asked - set(settings.HEADLESS_FRONTEND_URLS)
    for url in settings.HEADLESS_FRONTEND_URLS.values():
        assert url.startswith(f"{settings.FRONTEND_URL}/")


@pytest.mark.django_db
def test_signup_with_a_taken_address_answers_exactly_as_a_new_address(settings, verified_student):
    # Given production settings: verification mandatory, DEBUG off
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    settings.DEBUG = False

    # When someone signs up with a new address, and someone with the student's address
    new = _signup("brand-new@example.com")
    taken = _signup(verified_student.email.upper())

    # Then both answers are identical (but for the session token)
    assert new.status_code == taken.status_code == 401, taken.content
    assert _without_session_token(taken.json()) == _without_session_token(new.json())
    # And the owner is told by mail that they already have an account, with a link to reset the password
    assert [m.to for m in mail.outbox] == [["brand-new@example.com"], [verified_student.email]]
    already = mail.outbox[1]
    assert f"{settings.FRONTEND_URL}/auth/password/reset" in already.body
    assert "already" in already.body.lower()
    # And no second account or address was made
    assert User.objects.filter(email__iexact=verified_student.email).count() == 1
    assert EmailAddress.objects.filter(email__iexact=verified_student.email).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_signups_with_one_new_address_make_one_account(settings):
    # Given production settings and eight people signing up with one new address at the same moment
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    settings.ACCOUNTS_RATE_LIMITS = {}

    def signup(n: int):
        return _signup("race@example.com" if n % 2 else "RACE@example.com", Client(REMOTE_ADDR=f"10.9.0.{n}"))

    responses = returned(run_concurrently(*[lambda n=n: signup(n) for n in range(8)]))

    # Then one account exists, and every answer is the one a new address gets
    assert User.objects.filter(email__iexact="race@example.com").count() == 1
    assert EmailAddress.objects.filter(email__iexact="race@example.com").count() == 1
    assert [r.status_code for r in responses] == [401] * 8, [r.content[:200] for r in responses]
    bodies = {str(_without_session_token(r.json())) for r in responses}
    assert len(bodies) == 1
