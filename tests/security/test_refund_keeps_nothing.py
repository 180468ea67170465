"""Attack: buy a course, finish it, get refunded, keep the certificate and the XP (issue #15.8).

Played end to end through the API, Razorpay faked at the HTTP boundary. After the refund the learner
tries everything that could bring the purchase back: replaying the refund and capture webhooks,
verifying the old Checkout signature again, completing lessons again.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import responses
from model_bakery import baker
from rest_framework.test import APIClient

from billing.models import Payment
from billing.tests.conftest import (
    API,
    checkout_signature,
    event_body,
    payment_entity,
    post_webhook,
)
from catalog.models import Enrollment
from gamification.models import XPEvent, XPTotal
from tests.support import razorpay as razorpay_keys

pytestmark = pytest.mark.django_db


@pytest.fixture
def razorpay(settings):
    razorpay_keys.use_test_keys(settings)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_buy_finish_refund_keeps_nothing(razorpay, client_for, student, instructor, admin_user):
    course = baker.make(
        "catalog.Course", instructor=instructor, status="published", price=Decimal("999.00"), title="Paid"
    )
    module = baker.make("catalog.Module", course=course, position=1)
    lessons = [baker.make("catalog.Lesson", module=module, position=i) for i in (1, 2)]
    learner, admin, razorpay_server = client_for(student), client_for(admin_user), APIClient()

    # the learner buys the course
    razorpay.post(f"{API}/v1/orders", json={"id": "order_atk", "amount": 99900, "currency": "INR"})
    order = learner.post("/api/payments/order/", {"course": str(course.pk)}, format="json").json()
    payment_id = order["payment"]
    payment = Payment.objects.get(pk=payment_id)
    captured = payment_entity(payment, pay_id="pay_atk")
    razorpay.get(f"{API}/v1/payments/pay_atk", json=captured)
    verify = {
        "razorpay_order_id": "order_atk",
        "razorpay_payment_id": "pay_atk",
        "razorpay_signature": checkout_signature("order_atk", "pay_atk"),
    }
    assert learner.post("/api/payments/verify/", verify, format="json").json()["status"] == "paid"
    # finishes it: certificate and XP
    for lesson in lessons:
        assert learner.post(f"/api/lessons/{lesson.pk}/complete/").status_code == 200
    certificate = learner.get("/api/certificates/").json()["results"][0]
    assert certificate["status"] == "valid"
    assert learner.get("/api/gamification/xp/").json()["total"] > 0

    # and is refunded (the admin asks, Razorpay processes it)
    refund = {"id": "rfnd_atk", "payment_id": "pay_atk", "amount": 99900, "status": "pending"}
    razorpay.post(f"{API}/v1/payments/pay_atk/refund", json=refund)
    assert admin.post(f"/api/admin/payments/{payment_id}/refund/", {}, format="json").status_code == 200
    processed = event_body("refund.processed", refund={**refund, "status": "processed"})
    assert post_webhook(razorpay_server, processed, event_id="evt_refund").json() == {"status": "applied"}

    # then the learner tries to get it all back: the capture and refund events replayed under new ids,
    razorpay.replace(responses.GET, f"{API}/v1/payments/pay_atk", json={**captured, "status": "refunded"})
    replays = [
        post_webhook(razorpay_server, event_body("payment.captured", payment=captured), event_id="evt_c2"),
        post_webhook(razorpay_server, event_body("order.paid", payment=captured), event_id="evt_o2"),
        post_webhook(razorpay_server, processed, event_id="evt_refund_2"),
    ]
    assert [r.json()["status"] for r in replays] == ["no_change", "no_change", "no_change"]
    # the old Checkout signature verified again,
    again = learner.post("/api/payments/verify/", verify, format="json")
    assert again.status_code in (200, 400) and again.json().get("status") != "paid"
    # lessons completed again
    assert learner.post(f"/api/lessons/{lessons[0].pk}/complete/").status_code == 403

    # and keeps nothing: no access, a revoked certificate that verifies as revoked, no XP, no board
    assert not Enrollment.objects.filter(user=student, course=course, status="active").exists()
    assert Payment.objects.get(pk=payment_id).status == "refunded"
    assert learner.get("/api/certificates/").json()["results"][0]["status"] == "revoked"
    code = certificate["verification_code"]
    assert client_for(None).get(f"/api/certificates/verify/{code}/").json()["status"] == "revoked"
    assert learner.get("/api/gamification/xp/").json()["total"] == 0
    assert sum(XPEvent.objects.filter(user=student).values_list("points", flat=True)) == 0
    assert not XPTotal.objects.filter(user=student).exists()
    for period in ("weekly", "monthly", "all_time"):
        board = client_for(None).get("/api/leaderboard/", {"period": period}).json()
        assert str(student.pk) not in {row["user"]["id"] for row in board["results"]}
