"""The shared role permission classes (common.permissions) on sample views, through real authentication."""

from __future__ import annotations

import pytest
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.tests.conftest import bearer
from common.permissions import IsAdmin, IsInstructorOrAdmin, IsStudent

pytestmark = [pytest.mark.django_db, pytest.mark.urls("accounts.tests.test_permissions")]


def _view(permission):
    class Sample(APIView):
        permission_classes = [permission]

        def get(self, request):
            return Response({"ok": True})

    return Sample.as_view()


urlpatterns = [
    path("student/", _view(IsStudent)),
    path("admin/", _view(IsAdmin)),
    path("staff/", _view(IsInstructorOrAdmin)),
    path("_allauth/", include("allauth.headless.urls")),
]

ALLOWED = {
    "student/": {"student"},
    "admin/": {"admin"},
    "staff/": {"instructor", "admin"},
}


@pytest.mark.parametrize("route", list(ALLOWED))
@pytest.mark.parametrize("role", ["student", "instructor", "admin"])
def test_role_permissions(client_for, make_user, route, role):
    response = client_for(make_user(role)).get(f"/{route}")
    assert response.status_code == (200 if role in ALLOWED[route] else 403)
    if response.status_code == 403:
        assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize("route", list(ALLOWED))
def test_anonymous_is_401(client_for, db, route):
    assert client_for(None).get(f"/{route}").status_code == 401


def test_roles_hold_with_a_real_bearer_token(client, app_tokens):
    # The verified student's JWT passes the student check and fails the admin one.
    assert client.get("/student/", **bearer(app_tokens["access_token"])).status_code == 200
    assert client.get("/admin/", **bearer(app_tokens["access_token"])).status_code == 403
