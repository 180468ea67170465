from __future__ import annotations

from decimal import Decimal

import pytest
from model_bakery import baker

from billing.tests.conftest import make_payment

pytestmark = pytest.mark.django_db
HISTORY = "/api/payments/history/"
ADMIN = "/api/admin/payments/"


def make_purchases(user, instructor, count, status="paid"):
    payments = []
    for i in range(count):
        course = baker.make("catalog.Course", instructor=instructor, status="published", price=Decimal("10.00"))
        payments.append(
            make_payment(
                user,
                course,
                status=status,
                payment_id=f"pay_{user.pk.hex[:6]}_{i}",
                razorpay_order_id=f"o_{user.pk.hex[:6]}_{i}",
            )
        )
    return payments


def test_history_lists_only_my_purchases(client_for, student, other_student, instructor):
    # given purchases of two learners
    mine = make_purchases(student, instructor, 2)
    make_purchases(other_student, instructor, 1)
    # when I read my history
    response = client_for(student).get(HISTORY)
    # then only mine are listed, newest first, with course, amount, status and dates
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {row["id"] for row in body["results"]} == {str(p.pk) for p in mine}
    row = body["results"][0]
    assert set(row) >= {"id", "course", "amount", "currency", "status", "created_at", "paid_at", "refunded_at"}
    assert row["amount"] == 1000 and row["currency"] == "INR" and row["course"]["title"]


@pytest.mark.parametrize(("count", "queries"), [(1, 1), (20, 2)])
def test_history_query_count_is_constant(
    client_for, student, instructor, count, queries, django_assert_max_num_queries
):
    make_purchases(student, instructor, count)
    # One SELECT joining the course, and COUNT(*) only when page 1 is full (force_authenticate: no user query)
    with django_assert_max_num_queries(queries):
        response = client_for(student).get(HISTORY)
    assert len(response.json()["results"]) == count


def test_history_refused_roles(client_for, instructor):
    assert client_for(None).get(HISTORY).status_code == 401
    assert client_for(instructor).get(HISTORY).status_code == 403


def test_admin_list_filters(client_for, admin_user, student, other_student, instructor):
    paid = make_purchases(student, instructor, 2)
    failed = make_purchases(other_student, instructor, 1, status="failed")
    client = client_for(admin_user)
    assert client.get(ADMIN).json()["count"] == 3
    assert [r["id"] for r in client.get(ADMIN, {"status": "failed"}).json()["results"]] == [str(failed[0].pk)]
    by_user = client.get(ADMIN, {"user": str(student.pk)}).json()
    assert by_user["count"] == 2 and by_user["results"][0]["user"]["email"] == student.email
    assert client.get(ADMIN, {"course": str(paid[0].course_id)}).json()["count"] == 1
    assert client.get(ADMIN, {"status": "bogus"}).status_code == 400


@pytest.mark.parametrize("count", [1, 20])
def test_admin_list_query_count_is_constant(
    client_for, admin_user, student, instructor, count, django_assert_max_num_queries
):
    make_purchases(student, instructor, count)
    # COUNT(*), then one SELECT joining user and course
    with django_assert_max_num_queries(2):
        response = client_for(admin_user).get(ADMIN)
    assert len(response.json()["results"]) == count


def test_admin_list_refused_roles(client_for, student, instructor):
    assert client_for(None).get(ADMIN).status_code == 401
    for user in (student, instructor):
        assert client_for(user).get(ADMIN).status_code == 403
