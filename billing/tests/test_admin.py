from __future__ import annotations

import pytest

from billing.models import Payment
from billing.tests.conftest import API, make_payment
from moderation.models import AuditLog

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
