"""The shared role permission classes (common.permissions) on sample views, through real authentication."""

from __future__ import annotations

import pytest
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.tests.conftest import bearer
from common.permissions import IsAdmin, IsInstructor, IsInstructorOrAdmin, IsOwnerOrAdmin, IsStudent

pytestmark = [pytest.mark.django_db, pytest.mark.urls("accounts.tests.test_permissions")]


def _view(permission):
    class Sample(APIView):
        permission_classes = [permission]

        def get(self, request):
            return Response({"ok": True})

    return Sample.as_view()


class OwnedThing:
    def __init__(self, owner):
        self.owner = owner


class OwnerView(APIView):
    permission_classes = [IsOwnerOrAdmin]
    owner_field = "owner"

    def get(self, request, owner_id):
        from accounts.models import User

        thing = OwnedThing(User.objects.get(pk=owner_id))
        self.check_object_permissions(request, thing)
        return Response({"ok": True})


urlpatterns = [
    path("student/", _view(IsStudent)),
    path("instructor/", _view(IsInstructor)),
    path("admin/", _view(IsAdmin)),
    path("staff/", _view(IsInstructorOrAdmin)),
    path("owned/<uuid:owner_id>/", OwnerView.as_view()),
    path("_allauth/", include("allauth.headless.urls")),
]

ALLOWED = {
    "student/": {"student"},
    "instructor/": {"instructor"},
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


def test_owner_or_admin(client_for, student, other_student, admin_user):
    assert client_for(student).get(f"/owned/{student.pk}/").status_code == 200
    assert client_for(other_student).get(f"/owned/{student.pk}/").status_code == 403
    assert client_for(admin_user).get(f"/owned/{student.pk}/").status_code == 200


def test_roles_hold_with_a_real_bearer_token(client, app_tokens):
    # The verified student's JWT passes the student check and fails the admin one.
    assert client.get("/student/", **bearer(app_tokens["access_token"])).status_code == 200
    assert client.get("/admin/", **bearer(app_tokens["access_token"])).status_code == 403
