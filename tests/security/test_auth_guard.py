"""Attack-shaped regressions on the sign-in guard in front of allauth (issue #15, item 1).

The guard must read every body allauth would act on, however it is labelled: limits that only look at
``application/json`` bodies are bypassed by sending the same JSON as ``text/plain``.
"""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from accounts.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def victim(make_user):
    user = make_user("student", email="victim@example.com")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _post(client: Client, path: str, body: bytes, content_type: str):
    return client.generic("POST", path, body, content_type=content_type)


def test_twelve_wrong_passwords_as_text_plain_then_the_right_one_gets_no_tokens(victim):
    # Given twelve wrong passwords sent as text/plain, each from a fresh address
    # When six reset requests for one account are sent as text/plain from six addresses
    statuses = []
    for n in range(12):
        body = json.dumps({"email": victim.email, "password": f"guess-{n}"}).encode()
        statuses.append(_post(Client(REMOTE_ADDR=f"198.51.100.{n}"), "/_allauth/app/v1/auth/login", body, "text/plain"))

    # When the right password follows
    body = json.dumps({"email": victim.email, "password": PASSWORD}).encode()
    response = _post(Client(REMOTE_ADDR="198.51.100.200"), "/_allauth/app/v1/auth/login", body, "text/plain")

    # Then the account was locked after its tenth failure and the right password gets no tokens
    assert [r.status_code for r in statuses] == [400] * 10 + [429] * 2
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited" and int(response["Retry-After"]) > 0
    assert "access_token" not in response.content.decode()


def test_password_reset_mails_cannot_be_sent_without_limit_as_text_plain(victim):
    body = json.dumps({"email": victim.email}).encode()
    # When six reset requests for one account are sent as text/plain from six addresses
    statuses = [
        _post(Client(REMOTE_ADDR=f"198.51.101.{n}"), "/_allauth/app/v1/auth/password/request", body, "text/plain")
        for n in range(6)
    ]
    # Then the per-account limit (3/h) holds: three mails, then 429
    assert [r.status_code for r in statuses] == [200] * 3 + [429] * 3
    assert len(mail.outbox) == 3


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "", "application/octet-stream"])
@pytest.mark.parametrize(
    "path",
    [
        "/_allauth/app/v1/auth/login",
        "/_allauth/app/v1/auth/signup",
        "/_allauth/app/v1/tokens/refresh",
        "/_allauth/app/v1/auth/email/verify",
        "/_allauth/app/v1/auth/password/reset",
    ],
)
def test_deeply_nested_json_is_a_400_in_the_error_shape(path, content_type):
    # json.loads raises RecursionError on this; allauth would answer 500.
    body = b'{"email": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = _post(Client(), path, body, content_type)
    assert response.status_code == 400
    assert response.json() == {"detail": "The JSON body is nested too deeply.", "code": "parse_error"}
