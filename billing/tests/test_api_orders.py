from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from django.utils import timezone
from model_bakery import baker

from billing.models import Payment
from billing.tests.conftest import API, KEY_ID, make_payment

pytestmark = pytest.mark.django_db
URL = "/api/payments/order/"


def order_answer(order_id="order_N1", amount=49900):
    return {"id": order_id, "entity": "order", "amount": amount, "currency": "INR", "status": "created"}


def test_order_create_returns_what_checkout_needs(client_for, student, paid_course, rzp):
    # given Razorpay accepts the order
    rzp.post(f"{API}/v1/orders", json=order_answer())
    # when the student starts a purchase
    response = client_for(student).post(URL, {"course": str(paid_course.pk)}, format="json")
    # then the order is stored and Checkout gets everything it needs
    assert response.status_code == 201, response.json()
    body = response.json()
    payment = Payment.objects.get()
    assert body["order_id"] == "order_N1" == payment.razorpay_order_id
    assert body["payment"] == str(payment.pk)
    assert body["amount"] == 49900 and body["currency"] == "INR" and body["key_id"] == KEY_ID
    assert body["course"]["title"] == "Django Deep Dive"
    assert body["prefill"] == {"name": "Asha Student", "email": student.email}
    assert (payment.status, payment.amount, payment.user_id) == ("created", 49900, student.pk)
    # the amount sent to Razorpay comes from the database, and the call carries a timeout
    sent = json.loads(rzp.calls[0].request.body)
    assert sent["amount"] == 49900 and sent["currency"] == "INR" and sent["receipt"] == payment.receipt
    assert rzp.calls[0].request.req_kwargs["timeout"] == 3.0


def test_checkout_names_the_merchant_from_academy_name(client_for, student, paid_course, rzp, settings):
    # given the academy is named in the settings
    settings.ACADEMY_NAME = "Example Academy"
    rzp.post(f"{API}/v1/orders", json=order_answer())
    # when the student starts a purchase
    response = client_for(student).post(URL, {"course": str(paid_course.pk)}, format="json")
    # then Checkout shows that name as the merchant
    assert response.status_code == 201, response.json()
    assert response.json()["name"] == "Example Academy"


def test_client_supplied_amount_is_ignored(client_for, student, paid_course, rzp):
    rzp.post(f"{API}/v1/orders", json=order_answer())
    response = client_for(student).post(URL, {"course": str(paid_course.pk), "amount": 1}, format="json")
    assert response.status_code == 201
    assert json.loads(rzp.calls[0].request.body)["amount"] == 49900


def test_double_click_reuses_the_open_order(client_for, student, paid_course, rzp):
    # given an order was just opened
    rzp.post(f"{API}/v1/orders", json=order_answer())
    client = client_for(student)
    first = client.post(URL, {"course": str(paid_course.pk)}, format="json")
    # when the button is clicked again
    second = client.post(URL, {"course": str(paid_course.pk)}, format="json")
    # then the same order comes back and Razorpay was asked only once
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["order_id"] == first.json()["order_id"]
    assert len(rzp.calls) == 1 and Payment.objects.count() == 1


def test_stale_order_is_superseded_by_a_new_one(client_for, student, paid_course, rzp, settings):
    # given an open order older than the reuse window
    old = make_payment(student, paid_course, razorpay_order_id="order_old", receipt="dca_old")
    Payment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=31))
    rzp.post(f"{API}/v1/orders", json=order_answer("order_new"))
    # when the learner buys again
    response = client_for(student).post(URL, {"course": str(paid_course.pk)}, format="json")
    # then a new order replaces it and the old one is closed
    assert response.status_code == 201 and response.json()["order_id"] == "order_new"
    old.refresh_from_db()
    assert old.status == "failed" and "Superseded" in old.failure_reason


def test_repriced_course_gets_a_new_order(client_for, student, paid_course, rzp):
    make_payment(student, paid_course, razorpay_order_id="order_old", receipt="dca_old", amount=100)
    rzp.post(f"{API}/v1/orders", json=order_answer("order_new"))
    response = client_for(student).post(URL, {"course": str(paid_course.pk)}, format="json")
    assert response.status_code == 201 and response.json()["amount"] == 49900


def test_free_course_says_enroll_directly(client_for, student, free_course, rzp):
    response = client_for(student).post(URL, {"course": str(free_course.pk)}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "course_is_free" and "enroll" in response.json()["detail"]
    assert not rzp.calls and not Payment.objects.exists()


def test_already_enrolled_is_409(client_for, student, paid_course, rzp):
    baker.make("catalog.Enrollment", user=student, course=paid_course, source="admin")
    response = client_for(student).post(URL, {"course": str(paid_course.pk)}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "already_enrolled"
    assert not rzp.calls


def test_already_bought_is_409(client_for, student, paid_course, rzp):
    make_payment(student, paid_course, status="paid", payment_id="pay_x", razorpay_order_id="o1", receipt="r1")
    response = client_for(student).post(URL, {"course": str(paid_course.pk)}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "already_purchased"


@pytest.mark.parametrize("status", ["draft", "pending_review", "archived"])
def test_unpublished_course_cannot_be_bought(client_for, student, instructor, status, rzp):
    course = baker.make("catalog.Course", instructor=instructor, status=status, price=Decimal("10.00"))
    response = client_for(student).post(URL, {"course": str(course.pk)}, format="json")
    assert response.status_code == 400 and "course" in response.json()["errors"]


@pytest.mark.parametrize("payload", [{}, {"course": "not-a-uuid"}, {"course": "00000000-0000-0000-0000-000000000000"}])
def test_bad_input_is_400_with_field_errors(client_for, student, payload):
    response = client_for(student).post(URL, payload, format="json")
    assert response.status_code == 400 and "course" in response.json()["errors"]


def test_roles_refused(client_for, instructor, admin_user, paid_course):
    assert client_for(None).post(URL, {"course": str(paid_course.pk)}, format="json").status_code == 401
    for user in (instructor, admin_user):
        assert client_for(user).post(URL, {"course": str(paid_course.pk)}, format="json").status_code == 403


@pytest.mark.parametrize(
    "answer",
    [
        {"body": requests.exceptions.ReadTimeout("slow")},
        {"body": requests.exceptions.ConnectionError("down")},
        {"status": 502, "body": "<html>Bad gateway</html>"},
        {"status": 500, "json": {"error": {"code": "SERVER_ERROR", "description": "oops"}}},
    ],
)
def test_gateway_down_or_slow_is_503_and_writes_nothing(client_for, student, paid_course, rzp, answer):
    rzp.post(f"{API}/v1/orders", **answer)
    response = client_for(student).post(URL, {"course": str(paid_course.pk)}, format="json")
    assert response.status_code == 503
    assert response.json()["code"] == "payment_gateway_unavailable"
    assert not Payment.objects.exists()


def test_unconfigured_keys_are_503(client_for, student, paid_course, settings):
    settings.RAZORPAY_KEY_SECRET = ""
    response = client_for(student).post(URL, {"course": str(paid_course.pk)}, format="json")
    assert response.status_code == 503 and response.json()["code"] == "payments_not_configured"


def test_order_creation_is_rate_limited(client_for, student, paid_course, rzp, settings):
    settings.BILLING_ORDER_RATE = "2/m"
    rzp.post(f"{API}/v1/orders", json=order_answer())
    client = client_for(student)
    codes = [client.post(URL, {"course": str(paid_course.pk)}, format="json").status_code for _ in range(3)]
    assert codes[:2] == [201, 200] and codes[2] == 429
