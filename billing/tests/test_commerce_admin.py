"""Coupons and tax documents in the Django admin, and the coupons CSV report."""

from __future__ import annotations

import pytest
from model_bakery import baker

from audit.models import AuditLog
from billing.models import Coupon, CouponRedemption
from billing.tests.conftest import make_payment
from billing.tests.test_api_quote import make_coupon

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(admin_user, client):
    admin_user.is_staff = True
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    return client


def test_admin_adds_a_coupon_through_the_service(staff, paid_course):
    form = {
        "code": "welcome",
        "discount_type": "amount",
        "value": "50.00",
        "courses": [str(paid_course.pk)],
        "starts_at_0": "2026-11-01",
        "starts_at_1": "00:00:00",
        "max_per_user": "1",
        "active": "on",
        "redemptions-TOTAL_FORMS": "0",
        "redemptions-INITIAL_FORMS": "0",
    }
    response = staff.post("/admin/billing/coupon/add/", form)
    assert response.status_code == 302, response.content[:2000]
    coupon = Coupon.objects.get()
    assert coupon.code == "WELCOME" and list(coupon.courses.all()) == [paid_course]
    assert AuditLog.objects.filter(action="coupon.create").exists()
    # the pages open
    assert staff.get("/admin/billing/coupon/").status_code == 200
    assert staff.get(f"/admin/billing/coupon/{coupon.pk}/change/").status_code == 200
    assert staff.get("/admin/billing/billingdetails/").status_code == 200


def test_coupons_report_has_redemptions_and_revenue_per_code(
    client_for, admin_user, student, other_student, paid_course
):
    coupon = make_coupon("SAVE20")
    make_coupon("UNUSED")
    paid = make_payment(student, paid_course, status="paid", payment_id="pay_a", amount=39920)
    baker.make(
        CouponRedemption,
        coupon=coupon,
        user=student,
        course=paid_course,
        payment=paid,
        status="redeemed",
        discount=9980,
    )
    baker.make(
        CouponRedemption, coupon=coupon, user=other_student, course=paid_course, status="redeemed", discount=49900
    )
    baker.make(
        CouponRedemption, coupon=coupon, user=other_student, course=paid_course, status="released", discount=9980
    )
    response = client_for(admin_user).get("/api/admin/reports/coupons/")
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    header = lines[0].split(",")
    rows = {row.split(",")[1]: dict(zip(header, row.split(","), strict=True)) for row in lines[1:]}
    assert rows["SAVE20"]["redemptions"] == "2" and rows["SAVE20"]["free_enrollments"] == "1"
    assert rows["SAVE20"]["revenue_rupees"] == "399.20" and rows["SAVE20"]["discount_rupees"] == "598.80"
    assert rows["UNUSED"]["redemptions"] == "0" and rows["UNUSED"]["revenue_rupees"] == "0.00"


def test_tax_documents_admin_lists_and_re_renders(staff, student, paid_course, django_capture_on_commit_callbacks):
    from billing.models import TaxDocument
    from billing.services import tax_invoice_issue

    payment = make_payment(student, paid_course, status="paid", payment_id="pay_a")
    invoice = tax_invoice_issue(payment=payment)
    assert staff.get("/admin/billing/taxdocument/").status_code == 200
    assert staff.get(f"/admin/billing/taxdocument/{invoice.pk}/change/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            "/admin/billing/taxdocument/", {"action": "render_again", "_selected_action": [str(invoice.pk)]}
        )
    assert response.status_code == 302
    assert TaxDocument.objects.get().file_ready


def test_commission_and_earnings_admin_pages_open(staff, paid_course):
    from billing.models import CourseCommission

    response = staff.post("/admin/billing/coursecommission/add/", {"course": str(paid_course.pk), "percent": "15"})
    assert response.status_code == 302
    assert CourseCommission.objects.get().percent == 15
    assert (
        staff.post(
            "/admin/billing/coursecommission/add/", {"course": str(paid_course.pk), "percent": "150"}
        ).status_code
        == 200
    )
    assert staff.get("/admin/billing/earningentry/").status_code == 200
