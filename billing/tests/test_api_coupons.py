"""/api/admin/coupons/ and /api/instructor/coupons/: who may create which codes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from model_bakery import baker

from audit.models import AuditLog
from billing.models import Coupon, CouponRedemption
from billing.tests.test_api_quote import make_coupon

pytestmark = pytest.mark.django_db
ADMIN = "/api/admin/coupons/"
MINE = "/api/instructor/coupons/"


def detail(coupon) -> str:
    return f"{ADMIN}{coupon.pk}/"


def test_admin_creates_a_domain_coupon(client_for, admin_user):
    domain = baker.make("catalog.Domain")
    body = {
        "code": "diwali-25",
        "discount_type": "percent",
        "value": "25",
        "domain": str(domain.pk),
        "starts_at": "2026-11-01T00:00:00+05:30",
        "ends_at": "2026-11-15T00:00:00+05:30",
        "max_redemptions": 500,
        "max_per_user": 1,
        "min_price": "199.00",
    }
    response = client_for(admin_user).post(ADMIN, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["code"] == "DIWALI-25" and data["value"] == "25.00" and data["courses"] == []
    assert data["domain"] == str(domain.pk) and data["times_redeemed"] == 0 and data["active"] is True
    coupon = Coupon.objects.get()
    assert coupon.created_by == admin_user
    assert AuditLog.objects.filter(action="coupon.create", target_id=str(coupon.pk)).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "X", "discount_type": "percent", "value": "10"}, "code"),
        ({"code": "BAD CODE", "discount_type": "percent", "value": "10"}, "code"),
        ({"code": "OK10", "discount_type": "percent", "value": "101"}, "value"),
        ({"code": "OK10", "discount_type": "percent", "value": "0"}, "value"),
        ({"code": "OK10", "discount_type": "free", "value": "10"}, "discount_type"),
        ({"code": "OK10", "discount_type": "amount", "value": "10", "courses": ["nope"]}, "courses"),
        (
            {
                "code": "OK10",
                "discount_type": "amount",
                "value": "10",
                "starts_at": "2026-11-02T00:00:00Z",
                "ends_at": "2026-11-01T00:00:00Z",
            },
            "ends_at",
        ),
        ({"code": "OK10", "discount_type": "amount", "value": "10", "max_per_user": 0}, "max_per_user"),
    ],
)
def test_admin_bad_input_is_400_and_creates_nothing(client_for, admin_user, body, field):
    response = client_for(admin_user).post(ADMIN, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Coupon.objects.exists()


def test_code_is_unique_whatever_the_case(client_for, admin_user):
    make_coupon("SAVE20")
    response = client_for(admin_user).post(
        ADMIN, {"code": "save20", "discount_type": "percent", "value": "5"}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "coupon_code_taken"
    assert Coupon.objects.count() == 1


def test_admin_updates_and_deletes(client_for, admin_user, student, paid_course):
    coupon = make_coupon("SAVE20")
    client = client_for(admin_user)
    response = client.patch(detail(coupon), {"active": False, "courses": [str(paid_course.pk)]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["active"] is False and response.json()["courses"] == [str(paid_course.pk)]
    assert client.patch(detail(coupon), {"value": "150"}, format="json").status_code == 400  # percent > 100
    assert Coupon.objects.get().value == Decimal("20")
    # a used code cannot be deleted (its history stays); an unused one can
    baker.make(CouponRedemption, coupon=coupon, user=student, course=paid_course, status="redeemed", discount=1)
    conflict = client.delete(detail(coupon))
    assert conflict.status_code == 409 and conflict.json()["code"] == "coupon_in_use"
    unused = make_coupon("UNUSED")
    assert client.delete(detail(unused)).status_code == 204
    assert list(Coupon.objects.values_list("code", flat=True)) == ["SAVE20"]
    assert AuditLog.objects.filter(action__in=["coupon.update", "coupon.delete"]).count() == 2


def test_admin_routes_refuse_other_roles(client_for, student, instructor):
    coupon = make_coupon("SAVE20")
    for user in (student, instructor):
        assert client_for(user).get(ADMIN).status_code == 403
        assert client_for(user).patch(detail(coupon), {"active": False}, format="json").status_code == 403
    assert client_for(None).get(ADMIN).status_code == 401


def test_admin_list_query_count_is_the_same_for_1_and_20(
    client_for, admin_user, paid_course, django_assert_max_num_queries
):
    client = client_for(admin_user)
    make_coupon("C0", courses=[paid_course])
    # count, page with the domain joined, the page's courses in one prefetch
    with django_assert_max_num_queries(3):
        assert len(client.get(ADMIN).json()["results"]) == 1
    for i in range(1, 20):
        make_coupon(f"C{i}", courses=[paid_course])
    with django_assert_max_num_queries(3):
        assert len(client.get(ADMIN).json()["results"]) == 20


def test_instructor_creates_codes_for_own_courses_only(client_for, instructor, other_instructor, paid_course):
    body = {"code": "MEERA10", "discount_type": "percent", "value": "10", "courses": [str(paid_course.pk)]}
    created = client_for(instructor).post(MINE, body, format="json")
    assert created.status_code == 201, created.json()
    assert client_for(instructor).get(MINE).json()["results"][0]["code"] == "MEERA10"
    # another instructor cannot make a code for it, nor a sitewide one
    other = client_for(other_instructor)
    refused = other.post(MINE, {**body, "code": "KARAN10"}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "coupon_course_not_owned"
    sitewide = other.post(MINE, {"code": "ALL10", "discount_type": "percent", "value": "10"}, format="json")
    assert sitewide.status_code == 400 and "courses" in sitewide.json()["errors"]
    assert other.get(MINE).json()["results"] == []
    assert Coupon.objects.count() == 1


def test_instructor_cap(client_for, instructor, paid_course, settings):
    settings.INSTRUCTOR_COUPON_CAP = 1
    client = client_for(instructor)
    body = {"discount_type": "percent", "value": "10", "courses": [str(paid_course.pk)]}
    assert client.post(MINE, {**body, "code": "ONE"}, format="json").status_code == 201
    response = client.post(MINE, {**body, "code": "TWO"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "coupon_cap_reached"


def test_students_cannot_create_instructor_codes(client_for, student):
    assert client_for(student).get(MINE).status_code == 403


def test_instructor_list_query_count(client_for, instructor, paid_course, django_assert_max_num_queries):
    client = client_for(instructor)
    for i in range(20):
        make_coupon(f"M{i}", courses=[paid_course], created_by=instructor)
    # count, page, the page's courses
    with django_assert_max_num_queries(3):
        assert len(client.get(MINE).json()["results"]) == 20
