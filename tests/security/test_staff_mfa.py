"""STAFF_MFA_REQUIRED on every route: an admin without an authenticator app holds no admin power anywhere.

Admin powers are not confined to ``/api/admin/``: course, module, forum and certificate routes grant them
too. So, route by route through the authorization matrix, an admin who has not enrolled TOTP is answered
exactly like a suspended account — refused (403 ``mfa_required``) wherever credentials count, and served
as anyone only by the views that ignore credentials altogether (health, the schema, Razorpay's webhook).
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache
from django.db import transaction

from tests.security.conftest import ADMIN, SUSPENDED
from tests.security.matrix import MATRIX
from tests.security.test_authorization_matrix import call


class _Rollback(Exception):
    pass


def _answer(world, key):
    cache.clear()
    try:
        with transaction.atomic():
            response = call(world, ADMIN, key[1], MATRIX[key])
            raise _Rollback
    except _Rollback:
        pass
    return response


def test_an_admin_without_totp_is_refused_on_every_route_where_credentials_count(world, settings, fake_razorpay):
    # Given the rule on, and an admin who has not enrolled an authenticator app
    settings.STAFF_MFA_REQUIRED = True
    assert not Authenticator.objects.filter(user=world.users[ADMIN]).exists()

    mismatches = []
    for key in sorted(MATRIX):
        # When the admin calls the route
        response = _answer(world, key)

        # Then it answers as it answers a suspended account, naming the missing second factor
        expected = MATRIX[key].expect[SUSPENDED]
        if response.status_code not in expected:
            mismatches.append(f"{key}: got {response.status_code}, expected {sorted(expected)}")
        elif response.status_code == 403 and response.json()["code"] != "mfa_required":
            mismatches.append(f"{key}: 403 {response.json()['code']}, expected mfa_required")
    assert not mismatches, "\n".join(mismatches)


def test_an_enrolled_admin_is_answered_as_the_matrix_says(world, settings, fake_razorpay):
    # Given the rule on, and the admin with an authenticator app (the session was opened with both factors)
    settings.STAFF_MFA_REQUIRED = True
    TOTP.activate(world.users[ADMIN], generate_totp_secret())

    # When the admin calls a sample of admin-only and admin-powered routes, then they are served as before
    for key in [("admin-users", "GET"), ("admin-course-list", "GET"), ("auth-me", "GET")]:
        response = _answer(world, key)
        assert response.status_code in MATRIX[key].expect[ADMIN], (key, response.content[:200])
