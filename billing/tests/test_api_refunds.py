from __future__ import annotations

import json
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from audit.models import AuditLog
from billing.models import Payment
from billing.tests.conftest import API, event_body, make_payment, post_webhook
from catalog.models import Enrollment

pytestmark = pytest.mark.django_db


@pytest.fixture
def purchase(student, paid_course):
    from model_bakery import baker

    payment = make_payment(student, paid_course, status="paid", payment_id="pay_9", razorpay_order_id="order_9")
    baker.make("catalog.Enrollment", user=student, course=paid_course, source="payment")
    return payment


def url(payment):
    return f"/api/admin/payments/{payment.pk}/refund/"


def refund_answer(status="pending"):
    return {"id": "rfnd_1", "entity": "refund", "payment_id": "pay_9", "amount": 49900, "status": status}


def test_admin_refund_then_webhook_revokes_access(client_for, admin_user, purchase, rzp, api_client):
    # given Razorpay accepts the refund
    rzp.post(f"{API}/v1/payments/pay_9/refund", json=refund_answer())
    # when an admin refunds the payment
    response = client_for(admin_user).post(url(purchase), {"reason": "Asked within 7 days"}, format="json")
    # then it is refund_pending, Razorpay got a full refund with an idempotency key, and the action is audited
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "refund_pending" and body["refund_id"] == "rfnd_1"
    request = rzp.calls[0].request
    assert json.loads(request.body)["amount"] == 49900
    assert request.headers["X-Refund-Idempotency"] == f"dca-refund-{purchase.pk}-1"
    log = AuditLog.objects.get(action="payment.refund")
    assert log.actor == admin_user and log.target_id == str(purchase.pk)
    assert log.details["reason"] == "Asked within 7 days"
    assert Enrollment.objects.get().status == "active"  # access stays until the money has gone back
    # when Razorpay reports the refund processed
    processed = event_body("refund.processed", refund=refund_answer("processed"))
    assert post_webhook(api_client, processed, event_id="evt_r").json() == {"status": "applied"}
    # then the payment is refunded and access revoked
    purchase.refresh_from_db()
    assert purchase.status == "refunded"
    assert Enrollment.objects.get().status == "revoked"


def test_second_refund_request_does_not_refund_twice(client_for, admin_user, purchase, rzp):
    rzp.post(f"{API}/v1/payments/pay_9/refund", json=refund_answer())
    client = client_for(admin_user)
    assert client.post(url(purchase), {}, format="json").status_code == 200
    second = client.post(url(purchase), {}, format="json")
    assert second.status_code == 409 and second.json()["code"] == "refund_already_requested"
    assert len(rzp.calls) == 1
    assert AuditLog.objects.filter(action="payment.refund").count() == 1


def test_refund_processed_at_once_revokes_immediately(client_for, admin_user, purchase, rzp):
    rzp.post(f"{API}/v1/payments/pay_9/refund", json=refund_answer("processed"))
    response = client_for(admin_user).post(url(purchase), {}, format="json")
    assert response.json()["status"] == "refunded"
    assert Enrollment.objects.get().status == "revoked"


@pytest.mark.parametrize("status", ["created", "failed"])
def test_unpaid_payment_is_not_refundable(client_for, admin_user, student, paid_course, rzp, status):
    payment = make_payment(student, paid_course, status=status, razorpay_order_id="o1")
    response = client_for(admin_user).post(url(payment), {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "payment_not_refundable"
    assert not rzp.calls


def test_gateway_down_keeps_payment_paid(client_for, admin_user, purchase, rzp):
    rzp.post(f"{API}/v1/payments/pay_9/refund", body=requests.exceptions.ConnectTimeout("down"))
    response = client_for(admin_user).post(url(purchase), {}, format="json")
    assert response.status_code == 503 and response.json()["code"] == "payment_gateway_unavailable"
    purchase.refresh_from_db()
    assert purchase.status == "paid" and not AuditLog.objects.exists()


def test_refund_refused_for_non_admins(client_for, student, instructor, purchase, rzp):
    assert client_for(None).post(url(purchase), {}, format="json").status_code == 401
    for user in (student, instructor):
        assert client_for(user).post(url(purchase), {}, format="json").status_code == 403
    assert not rzp.calls and Payment.objects.get().status == "paid"


def test_unknown_payment_is_404(client_for, admin_user):
    response = client_for(admin_user).post(
        "/api/admin/payments/00000000-0000-0000-0000-000000000000/refund/", {}, format="json"
    )
    assert response.status_code == 404


def test_bad_input_is_400(client_for, admin_user, purchase):
    response = client_for(admin_user).post(url(purchase), {"reason": "x" * 501}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]


def test_a_failed_refund_can_be_retried_as_a_new_refund(client_for, admin_user, purchase, rzp, api_client):
    # given a refund request that Razorpay later reports failed
    rzp.post(f"{API}/v1/payments/pay_9/refund", json=refund_answer())
    client = client_for(admin_user)
    assert client.post(url(purchase), {}, format="json").json()["status"] == "refund_pending"
    failed = event_body("refund.failed", refund=refund_answer("failed"))
    assert post_webhook(api_client, failed, event_id="evt_f").json() == {"status": "applied"}
    purchase.refresh_from_db()
    assert (purchase.status, purchase.refund_attempt) == ("paid", 2)
    # when the admin asks again (Razorpay makes a new refund: the key is new)
    second = {"id": "rfnd_2", "entity": "refund", "payment_id": "pay_9", "amount": 49900, "status": "pending"}
    rzp.replace("POST", f"{API}/v1/payments/pay_9/refund", json=second)
    response = client.post(url(purchase), {}, format="json")
    # then it is a second attempt, under its own idempotency key
    assert response.status_code == 200 and response.json()["refund_id"] == "rfnd_2"
    keys = [call.request.headers["X-Refund-Idempotency"] for call in rzp.calls]
    assert keys == [f"dca-refund-{purchase.pk}-1", f"dca-refund-{purchase.pk}-2"]
    # and a late, repeated failure of the first attempt does not undo the second
    again = event_body("refund.failed", refund=refund_answer("failed"))
    assert post_webhook(api_client, again, event_id="evt_f_again").json() == {"status": "no_change"}
    purchase.refresh_from_db()
    assert (purchase.status, purchase.refund_id, purchase.refund_attempt) == ("refund_pending", "rfnd_2", 2)


def test_a_duplicate_payment_whose_automatic_refund_failed_is_asked_again_with_a_new_key(
    student, paid_course, rzp, api_client
):
    from billing.services import payments_reconcile

    make_payment(student, paid_course, status="paid", payment_id="pay_0", razorpay_order_id="o0", receipt="r0")
    duplicate = make_payment(
        student,
        paid_course,
        status="failed",
        payment_id="pay_2",
        razorpay_order_id="o2",
        receipt="r2",
        refund_id="rfnd_dup",
        failure_reason="Duplicate payment for a course already bought. Refunded automatically.",
        failed_at=timezone.now() - timedelta(hours=1),
    )
    # given Razorpay reports the automatic refund of the duplicate failed
    failed = {"id": "rfnd_dup", "payment_id": "pay_2", "amount": 49900, "status": "failed"}
    assert post_webhook(api_client, event_body("refund.failed", refund=failed), event_id="e").json() == {
        "status": "applied"
    }
    # when reconciliation runs
    rzp.post(f"{API}/v1/payments/pay_2/refund", json={"id": "rfnd_dup2", "amount": 49900, "status": "pending"})
    rzp.get(f"{API}/v1/refunds", json={"items": []})
    payments_reconcile(older_than=timedelta(0))
    # then the money is asked back again, as a new refund
    duplicate.refresh_from_db()
    assert duplicate.status == "failed" and duplicate.refund_id == "rfnd_dup2"
    assert rzp.calls[0].request.headers["X-Refund-Idempotency"] == f"dca-refund-{duplicate.pk}-2"
