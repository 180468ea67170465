"""Onboarding is for learners: the first admin (createsuperuser) and instructors sign in without it."""

from __future__ import annotations

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from model_bakery import baker

from accounts.models import User
from accounts.tests.conftest import app_login, bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def domain():
    return baker.make("catalog.Domain", name="Data Science", slug="data-science")


def test_createsuperuser_makes_an_admin_who_needs_no_onboarding(monkeypatch, app_client):
    # Given the first admin created as the README says
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "first-admin-password-42")
    call_command("createsuperuser", "--noinput", "--email", "root@example.com", stdout=StringIO())

    # Then the account is an admin with the staff flags and nothing left to fill in
    user = User.objects.get(email="root@example.com")
    assert (user.role, user.is_staff, user.is_superuser) == ("admin", True, True)
    assert user.onboarding_completed_at is None and user.onboarding_required is False

    # And signing in through allauth returns a session that is not sent to onboarding
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    login = app_login(app_client, "root@example.com", password="first-admin-password-42")
    assert login.status_code == 200, login.content
    assert login.json()["data"]["user"]["onboarding_required"] is False
    me = app_client.get("/api/auth/me/", **bearer(login.json()["meta"]["access_token"]))
    assert (me.json()["role"], me.json()["onboarding_required"]) == ("admin", False)


@pytest.mark.parametrize(("role", "required"), [("student", True), ("instructor", False), ("admin", False)])
def test_only_students_are_held_for_onboarding(client_for, make_user, role, required):
    # Given an account that never completed onboarding
    user = make_user(role, onboarding_completed_at=None)

    # When it reads its profile
    body = client_for(user).get("/api/auth/me/").json()

    # Then only a student is asked to onboard
    assert body["onboarding_required"] is required


@pytest.mark.parametrize("role", ["instructor", "admin"])
def test_staff_onboarding_is_refused_and_changes_nothing(client_for, make_user, domain, role):
    # Given a staff account
    user = make_user(role, full_name="Meera Staff", onboarding_completed_at=None)
    before = User.objects.values().get(pk=user.pk)

    # When it posts the learners' onboarding form
    response = client_for(user).post(
        "/api/auth/onboarding/",
        {"full_name": "Meera S", "domain": str(domain.pk), "branch": "Computer Science", "year": 2},
        format="json",
    )

    # Then it is told onboarding is not for its role, and no branch or year of study is stored
    assert response.status_code == 403
    assert response.json()["code"] == "onboarding_not_for_staff"
    assert "PATCH /api/auth/me/" in response.json()["detail"]
    assert User.objects.values().get(pk=user.pk) == before


def test_a_promoted_student_is_no_longer_held_and_a_demoted_instructor_is(client_for, make_user):
    # Given a student who never onboarded, promoted to instructor
    user = make_user("student", onboarding_completed_at=None)
    user.role = User.Role.INSTRUCTOR
    user.save()
    assert client_for(user).get("/api/auth/me/").json()["onboarding_required"] is False

    # When the role goes back to student, onboarding is required again
    user.role = User.Role.STUDENT
    user.save()
    assert client_for(user).get("/api/auth/me/").json()["onboarding_required"] is True
