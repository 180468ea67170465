"""``GET /api/auth/me/``'s flat representation writes exactly the bytes of ``MeOutputSerializer``."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings
from model_bakery import baker
from rest_framework.renderers import JSONRenderer

from accounts import selectors
from accounts.representations import me_representation
from accounts.serializers import MeOutputSerializer

pytestmark = pytest.mark.django_db

ONBOARDED = datetime.datetime(2026, 11, 2, 10, 15, 30, 123456, tzinfo=datetime.UTC)


@pytest.mark.parametrize("time_zone", ["Asia/Kolkata", "UTC"])
def test_me_row_renders_as_the_serializer_does(time_zone, make_user):
    # Given users in every shape the profile takes: an onboarded learner with a domain, a learner still to
    # onboard without one, and staff (never held at onboarding), one with a name outside ASCII
    domain = baker.make("catalog.Domain", name="Données & “Data”", slug="data")
    users = [
        make_user("student", full_name="Asha", domain=domain, branch="CSE", year=3, onboarding_completed_at=ONBOARDED),
        make_user("student", full_name="", domain=None, branch="", year=None, onboarding_completed_at=None),
        make_user("instructor", full_name="Mée\u2028ra", domain=domain, onboarding_completed_at=None),
        make_user("admin", onboarding_completed_at=None),
    ]
    for user in users:
        with override_settings(TIME_ZONE=time_zone):
            # When the row is shaped by the function and the instance by the serializer
            fast = me_representation(selectors.me_row(user=user))
            slow = MeOutputSerializer(selectors.user_with_domain(user=user)).data
        # Then the JSON is byte-identical
        assert JSONRenderer().render(fast) == JSONRenderer().render(slow)
    assert {me_representation(selectors.me_row(user=u))["onboarding_required"] for u in users} == {True, False}
