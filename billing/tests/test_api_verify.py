from __future__ import annotations

import json

import pytest
import requests
from django.core import mail

from billing.models import Payment
from billing.tests.conftest import API, checkout_signature, make_payment, payment_entity
from catalog.models import Enrollment

pytestmark = pytest.mark.django_db
URL = "/api/payments/verify/"


def verify_body(order_id="order_A1", pay_id="pay_1", signature=None):
    return {
        "razorpay_order_id": order_id,
        "razorpay_payment_id": pay_id,
        "razorpay_signature": signature or checkout_signature(order_id, pay_id),
    }


def assert_unchanged(order):
    order.refresh_from_db()
    assert order.status == "created" and order.payment_id == ""
    assert not Enrollment.objects.exists()


def test_whole_purchase_flow_ends_in_an_enrollment(
    client_for, student, paid_course, rzp, django_capture_on_commit_callbacks
):
    # given Razorpay creates the order and later reports the payment captured
    rzp.post(f"{API}/v1/orders", json={"id": "order_A1", "amount": 49900, "currency": "INR", "status": "created"})
    client = client_for(student)
    order = client.post("/api/payments/order/", {"course": str(paid_course.pk)}, format="json").json()
    payment = Payment.objects.get()
    rzp.get(f"{API}/v1/payments/pay_1", json=payment_entity(payment))
    # when Checkout's success callback is verified
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, verify_body(order["order_id"]), format="json")
    # then the payment is paid, the learner enrolled, and a receipt mailed
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "paid" and body["payment_id"] == "pay_1" and body["paid_at"]
    payment.refresh_from_db()
    assert payment.status == "paid" and payment.signature == verify_body()["razorpay_signature"]
    enrollment = Enrollment.objects.get(user=student, course=paid_course)
    assert (enrollment.status, enrollment.source) == ("active", "payment")
    paid_course.refresh_from_db()
    assert paid_course.learner_count == 1
    assert len(mail.outbox) == 1 and "Django Deep Dive" in mail.outbox[0].subject
    assert "We received ₹499.00 for “Django Deep Dive”" in mail.outbox[0].body


def test_authorized_payment_is_captured(client_for, student, order, rzp):
    rzp.get(f"{API}/v1/payments/pay_1", json=payment_entity(order, status="authorized"))
    rzp.post(f"{API}/v1/payments/pay_1/capture", json=payment_entity(order, status="captured"))
    response = client_for(student).post(URL, verify_body(), format="json")
    assert response.status_code == 200 and response.json()["status"] == "paid"
    assert json.loads(rzp.calls[1].request.body) == {"amount": 49900, "currency": "INR"}


def test_capture_race_falls_back_to_razorpays_view(client_for, student, order, rzp):
    # given another request captured the payment between our fetch and our capture
    rzp.get(f"{API}/v1/payments/pay_1", json=payment_entity(order, status="authorized"))
    rzp.get(f"{API}/v1/payments/pay_1", json=payment_entity(order, status="captured"))
    rzp.post(
        f"{API}/v1/payments/pay_1/capture",
        status=400,
        json={"error": {"code": "BAD_REQUEST_ERROR", "description": "This payment has already been captured"}},
    )
    response = client_for(student).post(URL, verify_body(), format="json")
    assert response.status_code == 200 and response.json()["status"] == "paid"


def test_tampered_signature_is_400_and_changes_nothing(client_for, student, order, rzp):
    body = verify_body(signature=checkout_signature("order_A1", "pay_other"))
    response = client_for(student).post(URL, body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_signature"
    assert "razorpay_signature" in response.json()["errors"]
    assert not rzp.calls
    assert_unchanged(order)


def test_signature_made_with_the_wrong_secret_is_refused(client_for, student, order, rzp):
    body = verify_body(signature=checkout_signature("order_A1", "pay_1", secret="webhook-secret"))
    assert client_for(student).post(URL, body, format="json").json()["code"] == "invalid_signature"
    assert_unchanged(order)


@pytest.mark.parametrize(
    "override",
    [{"amount": 100}, {"currency": "USD"}, {"order_id": "order_someone_else"}],
    ids=["amount", "currency", "order"],
)
def test_mismatch_is_400_and_changes_nothing(client_for, student, order, rzp, override):
    rzp.get(f"{API}/v1/payments/pay_1", json=payment_entity(order, **override))
    response = client_for(student).post(URL, verify_body(), format="json")
    assert response.status_code == 400 and response.json()["code"] == "payment_mismatch"
    assert_unchanged(order)


def test_uncaptured_payment_is_400(client_for, student, order, rzp):
    rzp.get(f"{API}/v1/payments/pay_1", json=payment_entity(order, status="failed"))
    response = client_for(student).post(URL, verify_body(), format="json")
    assert response.status_code == 400 and response.json()["code"] == "payment_not_captured"
    assert_unchanged(order)


def test_another_users_order_is_404(client_for, other_student, order, rzp):
    response = client_for(other_student).post(URL, verify_body(), format="json")
    assert response.status_code == 404
    assert not rzp.calls
    assert_unchanged(order)


def test_gateway_timeout_is_503_and_changes_nothing(client_for, student, order, rzp):
    rzp.get(f"{API}/v1/payments/pay_1", body=requests.exceptions.ReadTimeout("slow"))
    response = client_for(student).post(URL, verify_body(), format="json")
    assert response.status_code == 503 and response.json()["code"] == "payment_gateway_unavailable"
    assert_unchanged(order)


def test_repeated_verify_is_a_no_op(client_for, student, order, rzp, django_capture_on_commit_callbacks):
    rzp.get(f"{API}/v1/payments/pay_1", json=payment_entity(order))
    client = client_for(student)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(URL, verify_body(), format="json")
        second = client.post(URL, verify_body(), format="json")
    assert first.status_code == second.status_code == 200
    assert len(rzp.calls) == 1  # the second answer comes from our own records
    assert Enrollment.objects.count() == 1 and len(mail.outbox) == 1


def test_late_capture_after_failure_still_ends_paid(client_for, student, order, rzp):
    Payment.objects.filter(pk=order.pk).update(status="failed", failure_reason="Card declined")
    rzp.get(f"{API}/v1/payments/pay_1", json=payment_entity(order))
    response = client_for(student).post(URL, verify_body(), format="json")
    assert response.json()["status"] == "paid"
    order.refresh_from_db()
    assert order.failure_reason == ""


def test_bad_input_is_400(client_for, student):
    response = client_for(student).post(URL, {"razorpay_order_id": "x"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"razorpay_payment_id", "razorpay_signature"}


def test_roles_refused(client_for, instructor, admin_user):
    assert client_for(None).post(URL, verify_body(), format="json").status_code == 401
    assert client_for(instructor).post(URL, verify_body(), format="json").status_code == 403
    assert client_for(admin_user).post(URL, verify_body(), format="json").status_code == 403


def test_second_paid_order_for_the_same_course_is_refunded_not_granted(
    student, paid_course, order, rzp, django_capture_on_commit_callbacks
):
    # given the learner already owns the course through an earlier payment
    from billing.services import payment_settle_captured

    make_payment(student, paid_course, status="paid", payment_id="pay_0", razorpay_order_id="order_0", receipt="r0")
    rzp.post(f"{API}/v1/payments/pay_2/refund", json={"id": "rfnd_dup", "amount": order.amount, "status": "pending"})
    # when a second order of theirs is captured too
    with django_capture_on_commit_callbacks(execute=True):
        changed = payment_settle_captured(payment=order, razorpay_payment=payment_entity(order, pay_id="pay_2"))
    # then it does not become a second paid payment, and its money is refunded automatically
    order.refresh_from_db()
    assert changed and order.status == "failed" and order.refund_id == "rfnd_dup"
    assert order.failure_reason.startswith("Duplicate payment")
    assert rzp.calls[0].request.headers["X-Refund-Idempotency"] == f"dca-refund-{order.pk}-1"
    assert Payment.objects.filter(status="paid").count() == 1
