"""Admin user management over REST: list with filters, suspend, unsuspend, promote."""

from __future__ import annotations

import pytest
from model_bakery import baker

from accounts.models import User
from audit.models import AuditLog

pytestmark = pytest.mark.django_db


def test_list_users_with_filters_and_search(client_for, admin_user, student, instructor, make_user):
    suspended = make_user("student", full_name="Zoya Suspended", email="zoya@example.com", is_suspended=True)
    api = client_for(admin_user)

    everyone = api.get("/api/admin/users/").json()
    instructors = api.get("/api/admin/users/", {"role": "instructor"}).json()
    only_suspended = api.get("/api/admin/users/", {"suspended": "true"}).json()
    by_name = api.get("/api/admin/users/", {"search": "meera"}).json()
    by_email = api.get("/api/admin/users/", {"search": "ZOYA@"}).json()

    assert everyone["count"] == 4
    assert [u["id"] for u in instructors["results"]] == [str(instructor.pk)]
    assert [u["id"] for u in only_suspended["results"]] == [str(suspended.pk)]
    assert only_suspended["results"][0]["is_suspended"] is True
    assert [u["email"] for u in by_name["results"]] == [instructor.email]
    assert [u["id"] for u in by_email["results"]] == [str(suspended.pk)]


def test_list_users_rejects_an_unknown_role(client_for, admin_user):
    response = client_for(admin_user).get("/api/admin/users/", {"role": "wizard"})
    assert response.status_code == 400
    assert "role" in response.json()["errors"]


@pytest.mark.parametrize("extra_users", [0, 19])
def test_list_users_query_count_is_flat(client_for, admin_user, extra_users, django_assert_max_num_queries):
    domain = baker.make("catalog.Domain")
    for _ in range(extra_users):
        baker.make(User, domain=domain, _fill_optional=["full_name"])
    # Two queries whatever the page size: the count, and the page joined with domains.
    with django_assert_max_num_queries(2):
        response = client_for(admin_user).get("/api/admin/users/")
    assert len(response.json()["results"]) == extra_users + 1


def test_list_users_is_paginated(client_for, admin_user):
    baker.make(User, _quantity=5)
    body = client_for(admin_user).get("/api/admin/users/", {"page_size": 2, "page": 2}).json()
    assert body["count"] == 6
    assert len(body["results"]) == 2
    assert body["next"] and body["previous"]


@pytest.mark.parametrize("who", ["student", "instructor", None])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/admin/users/"),
        ("post", "/api/admin/users/{id}/suspend/"),
        ("post", "/api/admin/users/{id}/unsuspend/"),
        ("post", "/api/admin/users/{id}/promote/"),
    ],
)
def test_only_admins_manage_users(client_for, make_user, other_student, who, method, path):
    caller = make_user(who) if who else None
    response = getattr(client_for(caller), method)(
        path.format(id=other_student.pk), {"reason": "x", "role": "admin"}, format="json"
    )
    assert response.status_code == (403 if caller else 401)
    other_student.refresh_from_db()
    assert (other_student.role, other_student.is_suspended) == ("student", False)


def test_suspend_and_unsuspend(client_for, admin_user, student):
    api = client_for(admin_user)

    suspended = api.post(f"/api/admin/users/{student.pk}/suspend/", {"reason": "Abusive posts"}, format="json")
    again = api.post(f"/api/admin/users/{student.pk}/suspend/", {"reason": "Again"}, format="json")

    assert suspended.status_code == 200
    assert suspended.json()["is_suspended"] is True
    assert suspended.json()["suspension_reason"] == "Abusive posts"
    assert again.status_code == 409
    assert again.json()["code"] == "already_suspended"
    student.refresh_from_db()
    assert student.is_suspended and student.suspended_at is not None

    restored = api.post(f"/api/admin/users/{student.pk}/unsuspend/")
    assert restored.status_code == 200
    assert restored.json()["is_suspended"] is False
    assert api.post(f"/api/admin/users/{student.pk}/unsuspend/").json()["code"] == "not_suspended"
    actions = list(
        AuditLog.objects.filter(target_id=str(student.pk)).order_by("created_at").values_list("action", flat=True)
    )
    assert actions == ["user.suspend", "user.unsuspend"]
    assert AuditLog.objects.filter(action="user.suspend").get().actor_id == admin_user.pk


def test_suspend_needs_a_reason(client_for, admin_user, student):
    response = client_for(admin_user).post(f"/api/admin/users/{student.pk}/suspend/", {"reason": " "}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["reason"]
    student.refresh_from_db()
    assert not student.is_suspended


def test_an_admin_cannot_suspend_or_demote_themselves(client_for, admin_user):
    api = client_for(admin_user)

    suspend = api.post(f"/api/admin/users/{admin_user.pk}/suspend/", {"reason": "oops"}, format="json")
    demote = api.post(f"/api/admin/users/{admin_user.pk}/promote/", {"role": "student"}, format="json")

    assert (suspend.status_code, suspend.json()["code"]) == (403, "cannot_suspend_self")
    assert (demote.status_code, demote.json()["code"]) == (403, "cannot_demote_self")
    admin_user.refresh_from_db()
    assert admin_user.role == "admin" and not admin_user.is_suspended
    assert not AuditLog.objects.exists()


def test_promote_changes_the_role_and_staff_flags(client_for, admin_user, student):
    api = client_for(admin_user)

    to_admin = api.post(f"/api/admin/users/{student.pk}/promote/", {"role": "admin"}, format="json")
    student.refresh_from_db()
    assert to_admin.status_code == 200 and to_admin.json()["role"] == "admin"
    assert student.is_staff and student.is_superuser

    api.post(f"/api/admin/users/{student.pk}/promote/", {"role": "instructor"}, format="json")
    student.refresh_from_db()
    assert (student.role, student.is_staff, student.is_superuser) == ("instructor", False, False)
    log = AuditLog.objects.filter(action="user.role_change").order_by("created_at").last()
    assert log.details == {"from": "admin", "to": "instructor"}


def test_promote_validates_the_role(client_for, admin_user, student):
    response = client_for(admin_user).post(f"/api/admin/users/{student.pk}/promote/", {"role": "root"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["role"]


@pytest.mark.parametrize("action", ["suspend", "unsuspend", "promote"])
def test_unknown_user_is_404(client_for, admin_user, action):
    response = client_for(admin_user).post(
        f"/api/admin/users/00000000-0000-0000-0000-000000000000/{action}/",
        {"reason": "x", "role": "student"},
        format="json",
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_list_users_can_be_ordered(client_for, admin_user, student, instructor):
    body = client_for(admin_user).get("/api/admin/users/", {"ordering": "email"}).json()
    emails = [u["email"] for u in body["results"]]
    assert emails == sorted(emails)
