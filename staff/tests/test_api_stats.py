"""GET /api/admin/stats/: the dashboard's figures over the API, admins only."""

from __future__ import annotations

import pytest

from catalog.services import enrollment_grant

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]

URL = "/api/admin/stats/"


def test_admin_gets_the_platform_figures(client_for, admin_user, make_user, course_factory, payment_factory):
    # Given two students (one enrolled and paying ₹499.50 for a published course) and a draft course
    learner = make_user("student")
    make_user("student")
    course = course_factory(title="Python")
    course_factory(status="draft")
    enrollment_grant(user=learner, course=course, source="payment")
    payment_factory(course=course, amount=49_950, user=learner)

    # When
    response = client_for(admin_user).get(URL)

    # Then
    assert response.status_code == 200
    body = response.json()
    assert body["students"] == 2
    assert body["instructors"] == 1
    assert body["courses_by_status"] == {
        "draft": 1,
        "pending_review": 0,
        "published": 1,
        "rejected": 0,
        "archived": 0,
    }
    assert body["enrollments"] == {"total": 1, "active": 1, "completed": 0}
    assert body["earnings"] == {
        "currency": "INR",
        "gross": "499.50",
        "refunded": "0.00",
        "net": "499.50",
        "captured_payments": 1,
    }
    assert body["top_courses"]["by_learners"] == [
        {"id": str(course.id), "title": "Python", "status": "published", "learners": 1}
    ]
    assert body["top_courses"]["by_revenue"] == [
        {"id": str(course.id), "title": "Python", "revenue": "499.50", "sales": 1}
    ]
    assert len(body["last_30_days"]["signups"]) == 30
    assert body["last_30_days"]["revenue"][-1]["amount"] == "499.50"


@pytest.mark.parametrize("role", ["student", "instructor"])
def test_non_admins_are_refused(client_for, make_user, role):
    response = client_for(make_user(role)).get(URL)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_anonymous_is_asked_to_authenticate(client_for):
    response = client_for(None).get(URL)

    assert response.status_code == 401


def test_a_suspended_admin_is_refused_even_with_a_live_session(api_client, make_user):
    # Given an admin suspended after logging in (a session cookie, not force_authenticate)
    admin = make_user("admin", is_suspended=True)
    api_client.force_login(admin)

    # When
    response = api_client.get(URL)

    # Then
    assert response.status_code == 403
    assert response.json()["code"] == "account_suspended"


def test_stats_use_a_fixed_number_of_queries(client_for, admin_user, django_assert_num_queries):
    from staff.selectors import STATS_QUERY_COUNT

    # force_authenticate: no session or user query; then the selector's aggregates only
    with django_assert_num_queries(STATS_QUERY_COUNT):
        response = client_for(admin_user).get(URL)
    assert response.status_code == 200
