"""GET /api/admin/audit-log/: every staff action, filterable, paginated, admins only."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditLog
from audit.services import audit_record
from staff.tests.conftest import days_ago

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]

URL = "/api/admin/audit-log/"


@pytest.fixture
def entries(admin_user, make_user, course_factory):
    other_admin = make_user("admin", full_name="Other Admin")
    course = course_factory(title="Python")
    learner = make_user("student")
    approve = audit_record(actor=admin_user, action="course.approve", target=course, details={"note": "ok"})
    suspend = audit_record(actor=other_admin, action="user.suspend", target=learner, details={"reason": "spam"})
    old = audit_record(actor=admin_user, action="user.suspend", target=learner)
    AuditLog.objects.filter(pk=old.pk).update(created_at=days_ago(20))
    return {"approve": approve, "suspend": suspend, "old": old, "other_admin": other_admin, "learner": learner}


def ids(response) -> list[str]:
    return [row["id"] for row in response.json()["results"]]


def test_admin_lists_entries_newest_first(client_for, admin_user, entries):
    # When
    response = client_for(admin_user).get(URL)

    # Then
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert ids(response) == [str(entries[k].id) for k in ("suspend", "approve", "old")]
    approve = body["results"][1]
    assert approve == {
        "id": str(entries["approve"].id),
        "actor": {"id": str(admin_user.id), "email": admin_user.email, "full_name": admin_user.full_name},
        "action": "course.approve",
        "target_type": "catalog.course",
        "target_id": str(entries["approve"].target_id),
        "target_repr": "Python",
        "details": {"note": "ok"},
        "created_at": approve["created_at"],
    }


def test_entry_of_a_deleted_actor_has_a_null_actor(client_for, admin_user, entries):
    entries["other_admin"].delete()

    response = client_for(admin_user).get(URL, {"action": "user.suspend"})

    assert response.json()["results"][0]["actor"] is None


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": "user.suspend"}, ["suspend", "old"]),
        ({"target_type": "catalog.course"}, ["approve"]),
        ({"action": "nothing.like.this"}, []),
    ],
)
def test_filters(client_for, admin_user, entries, params, expected):
    response = client_for(admin_user).get(URL, params)

    assert response.status_code == 200
    assert ids(response) == [str(entries[k].id) for k in expected]


def test_filter_by_actor_target_and_dates(client_for, admin_user, entries):
    client = client_for(admin_user)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    by_actor = client.get(URL, {"actor": str(entries["other_admin"].id)})
    by_target = client.get(URL, {"target_id": str(entries["learner"].id)})
    recent = client.get(URL, {"from": yesterday.isoformat()})
    older = client.get(URL, {"to": yesterday.isoformat()})

    assert ids(by_actor) == [str(entries["suspend"].id)]
    assert ids(by_target) == [str(entries["suspend"].id), str(entries["old"].id)]
    assert ids(recent) == [str(entries["suspend"].id), str(entries["approve"].id)]
    assert ids(older) == [str(entries["old"].id)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-13-01"}, "to"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "to"),
        ({"actor": "not-a-uuid"}, "actor"),
    ],
)
def test_bad_filters_are_400_with_field_errors(client_for, admin_user, params, field):
    response = client_for(admin_user).get(URL, params)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"]


def test_pagination(client_for, admin_user, entries):
    response = client_for(admin_user).get(URL, {"page_size": 2, "page": 2})

    body = response.json()
    assert body["count"] == 3
    assert ids(response) == [str(entries["old"].id)]


@pytest.mark.parametrize("role", ["student", "instructor"])
def test_non_admins_are_refused(client_for, make_user, role):
    response = client_for(make_user(role)).get(URL)

    assert response.status_code == 403


def test_anonymous_is_refused(client_for):
    assert client_for(None).get(URL).status_code == 401


@pytest.mark.parametrize(("count", "queries"), [(1, 1), (20, 2)])
def test_query_count_is_the_same_for_one_entry_and_a_page(
    count, queries, client_for, admin_user, make_user, course_factory, django_assert_num_queries
):
    # Given `count` entries, each by a different admin
    course = course_factory()
    for _ in range(count):
        audit_record(actor=make_user("admin"), action="course.approve", target=course)

    # Then: the page with its actors joined, and COUNT(*) only when page 1 is full (common.pagination)
    with django_assert_num_queries(queries):
        response = client_for(admin_user).get(URL)
    assert len(response.json()["results"]) == count
