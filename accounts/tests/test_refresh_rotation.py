"""Refresh token rotation: each refresh token is exchanged once; a replay ends its sign-in (issue #15, item 4)."""

from __future__ import annotations

import datetime
import uuid

import jwt
import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from accounts import services
from accounts.models import SpentRefreshToken
from accounts.tests.conftest import app_login, bearer
from tests.support.concurrency import returned, run_concurrently

REFRESH = "/_allauth/app/v1/tokens/refresh"


def _refresh(token: str, client: Client | None = None):
    return (client or Client()).post(REFRESH, {"refresh_token": token}, content_type="application/json")


def _works(access_token: str) -> bool:
    return Client().get("/api/auth/me/", **bearer(access_token)).status_code == 200


def _refresh_works(refresh_token: str) -> bool:
    return _refresh(refresh_token).status_code == 200


@pytest.fixture(autouse=True)
def _no_limits(settings):
    settings.ACCOUNTS_RATE_LIMITS = {}


@pytest.mark.django_db
def test_a_replayed_refresh_token_ends_every_token_of_its_sign_in(app_tokens, verified_student):
    # Given a sign-in rotated twice (first -> second -> third), and a second sign-in of the same user
    second = _refresh(app_tokens["refresh_token"]).json()["data"]
    third = _refresh(second["refresh_token"]).json()["data"]
    other_device = app_login(Client(), verified_student.email).json()["meta"]
    assert _works(third["access_token"])

    # When the first refresh token (spent, e.g. stolen) is presented again
    replay = _refresh(app_tokens["refresh_token"])

    # Then it is refused, and every token of that sign-in is dead: the thief's and the owner's
    assert replay.status_code == 400
    assert "access_token" not in replay.content.decode()
    assert not _works(third["access_token"])
    assert not _refresh_works(third["refresh_token"])
    (session_key,) = set(SpentRefreshToken.objects.values_list("session_key", flat=True))
    assert not Session.objects.filter(session_key=session_key).exists()
    # But the user's other sign-in is untouched
    assert _works(other_device["access_token"])
    assert _refresh_works(other_device["refresh_token"])


@pytest.mark.django_db
def test_each_spent_refresh_token_is_recorded_until_it_expires(app_tokens, verified_student):
    # When the app refreshes once
    refreshed = _refresh(app_tokens["refresh_token"])

    # Then the spent token is recorded with its own expiry, and the new pair works
    assert refreshed.status_code == 200
    claims = jwt.decode(app_tokens["refresh_token"], options={"verify_signature": False})
    spent = SpentRefreshToken.objects.get()
    assert (str(spent.jti), spent.user_id) == (claims["jti"], verified_student.pk)
    assert spent.expires_at == datetime.datetime.fromtimestamp(claims["exp"], tz=datetime.UTC)
    assert _works(refreshed.json()["data"]["access_token"])

    # And pruning forgets it only once it has expired
    assert services.spent_refresh_tokens_prune(now=spent.expires_at - datetime.timedelta(seconds=1)) == 0
    assert services.spent_refresh_tokens_prune(now=spent.expires_at) == 1
    assert not SpentRefreshToken.objects.exists()


@pytest.mark.django_db
def test_a_forged_or_foreign_refresh_token_spends_nothing(app_tokens):
    header, _payload, signature = app_tokens["refresh_token"].split(".")
    claims = jwt.decode(app_tokens["refresh_token"], options={"verify_signature": False})
    claims["jti"] = "00000000-0000-4000-8000-000000000000"
    forged = jwt.utils.base64url_encode(jwt.api_jws.json.dumps(claims).encode()).decode()

    assert _refresh(f"{header}.{forged}.{signature}").status_code == 400
    assert not SpentRefreshToken.objects.exists()
    assert _refresh_works(app_tokens["refresh_token"])  # the real token was not harmed


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_with_one_token_have_exactly_one_winner(app_tokens):
    # Given six clients refreshing with one token at the same moment
    responses = returned(run_concurrently(lambda: _refresh(app_tokens["refresh_token"]), times=6))

    # Then exactly one got new tokens; the five others presented a spent token, so the sign-in ended
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 400, 400, 400, 400, 400], [r.content[:200] for r in responses]
    assert SpentRefreshToken.objects.count() == 1
    winner = next(r for r in responses if r.status_code == 200).json()["data"]
    assert not _works(winner["access_token"])
    assert not _refresh_works(winner["refresh_token"])
    assert not _works(app_tokens["access_token"])


@pytest.mark.django_db
def test_the_prune_task_forgets_only_expired_spent_tokens(verified_student):
    from accounts.tasks import spent_refresh_tokens_prune

    now = timezone.now()
    for n, expires_at in enumerate([now - datetime.timedelta(minutes=1), now + datetime.timedelta(hours=1)]):
        SpentRefreshToken.objects.create(
            jti=uuid.UUID(int=n + 1), user=verified_student, session_key=f"s{n}", expires_at=expires_at
        )

    assert spent_refresh_tokens_prune.delay().get() == 1
    assert list(SpentRefreshToken.objects.values_list("jti", flat=True)) == [uuid.UUID(int=2)]
