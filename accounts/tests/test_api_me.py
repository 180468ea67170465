"""GET/PATCH /api/auth/me/ and POST /api/auth/onboarding/, and the /auth/onboarding redirect."""

from __future__ import annotations

import pytest
from model_bakery import baker

from accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def domain():
    return baker.make("catalog.Domain", name="Data Science", slug="data-science")


def _onboarding(domain_obj, **overrides):
    return {
        "full_name": "Asha Verma",
        "domain": str(domain_obj.pk),
        "branch": "Computer Science",
        "year": 2,
        **overrides,
    }


def test_me_returns_the_profile(client_for, student, domain, django_assert_max_num_queries):
    student.domain = domain
    student.save()

    # One query: the user joined with the domain (authentication is forced in this client).
    with django_assert_max_num_queries(1):
        response = client_for(student).get("/api/auth/me/")

    assert response.status_code == 200
    assert response.json() == {
        "id": str(student.pk),
        "email": student.email,
        "full_name": "Asha Student",
        "role": "student",
        "domain": {"id": str(domain.pk), "name": "Data Science", "slug": "data-science"},
        "branch": "",
        "year": None,
        "created_at": response.json()["created_at"],
        "onboarding_required": True,
    }


def test_me_needs_authentication(client_for, db):
    response = client_for(None).get("/api/auth/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_patch_me_changes_only_profile_fields(client_for, student, domain):
    response = client_for(student).patch("/api/auth/me/", {"branch": "Mechanical", "year": 3}, format="json")

    assert response.status_code == 200
    assert (response.json()["branch"], response.json()["year"]) == ("Mechanical", 3)
    student.refresh_from_db()
    assert (student.branch, student.year, student.full_name) == ("Mechanical", 3, "Asha Student")


@pytest.mark.parametrize(
    "attack",
    [
        {"role": "admin"},
        {"email": "takeover@example.com"},
        {"is_staff": True},
        {"is_superuser": True},
        {"is_suspended": False},
        {"suspension_reason": ""},
        {"onboarding_completed_at": "2026-01-01T00:00:00Z"},
        {"password": "new-password-123"},
    ],
)
def test_patch_me_refuses_protected_fields(client_for, student, attack):
    # Given a student trying to grant themselves something
    before = User.objects.values().get(pk=student.pk)

    # When they send it with an innocent change
    response = client_for(student).patch("/api/auth/me/", {"branch": "EEE", **attack}, format="json")

    # Then the request is refused naming the field, and nothing at all changed
    assert response.status_code == 400
    assert list(response.json()["errors"]) == list(attack)
    assert User.objects.values().get(pk=student.pk) == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"year": 0}, "year"),
        ({"year": 7}, "year"),
        ({"year": "second"}, "year"),
        ({"full_name": ""}, "full_name"),
        ({"full_name": "x" * 151}, "full_name"),
        ({"domain": "not-a-uuid"}, "domain"),
        ({"domain": "00000000-0000-0000-0000-000000000000"}, "domain"),
    ],
)
def test_patch_me_validates_fields(client_for, student, payload, field):
    response = client_for(student).patch("/api/auth/me/", payload, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["errors"]) == [field]


def test_onboarding_completes_the_profile(client_for, student, domain):
    # When a new user submits the onboarding form
    response = client_for(student).post("/api/auth/onboarding/", _onboarding(domain), format="json")

    # Then the profile is stored and onboarding is no longer required
    assert response.status_code == 200
    body = response.json()
    assert body["onboarding_required"] is False
    assert body["domain"]["slug"] == "data-science"
    student.refresh_from_db()
    assert (student.full_name, student.domain_id, student.branch, student.year) == (
        "Asha Verma",
        domain.pk,
        "Computer Science",
        2,
    )
    assert student.onboarding_completed_at is not None
    assert client_for(student).get("/api/auth/me/").json()["onboarding_required"] is False


def test_onboarding_requires_every_field(client_for, student):
    response = client_for(student).post("/api/auth/onboarding/", {}, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"full_name", "domain", "branch", "year"}
    student.refresh_from_db()
    assert student.onboarding_required


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"year": 9}, "year"),
        ({"domain": "00000000-0000-0000-0000-000000000000"}, "domain"),
        ({"branch": "   "}, "branch"),
        ({"role": "instructor"}, "role"),
    ],
)
def test_onboarding_validates_each_field(client_for, student, domain, overrides, field):
    response = client_for(student).post("/api/auth/onboarding/", _onboarding(domain, **overrides), format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    student.refresh_from_db()
    assert student.onboarding_required and student.role == "student"


def test_onboarding_needs_authentication(client_for, domain):
    assert client_for(None).post("/api/auth/onboarding/", _onboarding(domain), format="json").status_code == 401


def test_backend_onboarding_path_redirects_to_the_frontend(client, settings):
    settings.FRONTEND_URL = "https://app.example.com"

    response = client.get("/auth/onboarding", {"next": "/courses"})

    assert response.status_code == 302
    assert response["Location"] == "https://app.example.com/auth/onboarding?next=%2Fcourses"
