"""Account mails name the academy and point at the frontend, whatever host the request reached (item 15)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from accounts.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def academy(settings):  # the mails' links come from HEADLESS_FRONTEND_URLS, built from FRONTEND_URL
    settings.ACADEMY_NAME = "Test Career Academy"
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    return settings


def _assert_academy_mail(message) -> None:
    assert message.subject.startswith("[Test Career Academy] ")
    assert message.body.startswith("Hello from Test Career Academy!")
    assert f"Thank you for using Test Career Academy!\n{settings.FRONTEND_URL}" in message.body
    assert "127.0.0.1" not in message.subject + message.body


def test_password_reset_mail_names_the_academy_and_links_to_the_frontend(academy, verified_student):
    # When a reset is requested through the API's own host
    response = Client(HTTP_HOST="127.0.0.1:8000").post(
        "/_allauth/app/v1/auth/password/request", {"email": verified_student.email}, content_type="application/json"
    )

    # Then the mail comes from the academy and its link goes to the frontend
    assert response.status_code == 200, response.content
    (message,) = mail.outbox
    _assert_academy_mail(message)
    assert f"{settings.FRONTEND_URL}/auth/password/reset/key/" in message.body


def test_signup_mails_name_the_academy_for_new_and_taken_addresses(academy, verified_student):
    client = Client(HTTP_HOST="127.0.0.1:8000")
    for email in ("fresh@example.com", verified_student.email):
        client.post(
            "/_allauth/app/v1/auth/signup", {"email": email, "password": PASSWORD}, content_type="application/json"
        )

    verification, already_exists = mail.outbox
    _assert_academy_mail(verification)
    _assert_academy_mail(already_exists)
    assert f"{settings.FRONTEND_URL}/auth/verify-email/" in verification.body
    assert f"{settings.FRONTEND_URL}/auth/password/reset" in already_exists.body
