from __future__ import annotations

import datetime

import pytest
import time_machine

from audit.models import AuditLog
from billing.models import Payment
from billing.tests.conftest import API, make_payment

pytestmark = pytest.mark.django_db


def test_admin_refund_action_uses_the_service(client, admin_user, student, paid_course, rzp):
    # given a paid payment and an admin in the Django admin
    payment = make_payment(student, paid_course, status="paid", payment_id="pay_9", razorpay_order_id="o9")
    rzp.post(f"{API}/v1/payments/pay_9/refund", json={"id": "rfnd_1", "amount": payment.amount, "status": "pending"})
    client.force_login(admin_user)
    # when the refund action is applied to it
    response = client.post(
        "/admin/billing/payment/", {"action": "refund_payments", "_selected_action": [str(payment.pk)]}, follow=True
    )
    # then the payment awaits its refund and the action is audited like the API's
    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.status == "refund_pending" and payment.refund_id == "rfnd_1"
    assert AuditLog.objects.filter(action="payment.refund", actor=admin_user).count() == 1


def test_admin_pages_render_read_only(client, admin_user, student, paid_course):
    payment = make_payment(student, paid_course, razorpay_order_id="o1")
    client.force_login(admin_user)
    assert client.get("/admin/billing/payment/").status_code == 200
    assert client.get(f"/admin/billing/payment/{payment.pk}/change/").status_code == 200
    assert client.get("/admin/billing/webhookevent/").status_code == 200
    assert client.post(f"/admin/billing/payment/{payment.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Payment.objects.filter(pk=payment.pk).exists()


def test_stuck_filter_lists_orders_left_created_past_the_reconcile_window(
    client, admin_user, student, other_student, make_user, paid_course, settings
):
    # given the reconciler settles orders older than 15 minutes, one order of 20 minutes and one of 5
    settings.BILLING_RECONCILE_AFTER_MINUTES = 15
    now = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)
    with time_machine.travel(now - datetime.timedelta(minutes=20), tick=False):
        stuck = make_payment(student, paid_course, razorpay_order_id="order_stuck")
    with time_machine.travel(now - datetime.timedelta(minutes=5), tick=False):
        make_payment(other_student, paid_course, razorpay_order_id="order_failed", status="failed")
        make_payment(make_user("student"), paid_course, razorpay_order_id="order_new")
    client.force_login(admin_user)
    # when staff open the "needs attention" filter
    with time_machine.travel(now, tick=False):
        html = client.get("/admin/billing/payment/", {"stuck": "created"}).content.decode()
    # then only the stuck one is listed, with its buyer, course and amount in rupees
    assert "order_stuck" in html and "order_new" not in html and "order_failed" not in html
    assert "INR 499.00" in html and paid_course.title in html and str(stuck.user) in html


def test_payments_are_found_by_the_buyers_name(client, admin_user, student, paid_course):
    make_payment(student, paid_course, razorpay_order_id="order_asha")
    client.force_login(admin_user)
    html = client.get("/admin/billing/payment/", {"q": "Asha"}).content.decode()
    assert "order_asha" in html
