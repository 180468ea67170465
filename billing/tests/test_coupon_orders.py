"""Orders with a coupon: the discounted Razorpay order, the hold and its fate, free-by-coupon enrollment."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from billing.models import Coupon, CouponRedemption, Payment
from billing.services import payment_settle_captured, payment_settle_failed, payment_settle_refund, payments_reconcile
from billing.tests.conftest import API, payment_entity
from billing.tests.test_api_quote import make_coupon
from catalog.models import Course, Enrollment

pytestmark = pytest.mark.django_db
URL = "/api/payments/order/"


def order_answer(order_id="order_C1", amount=39920):
    return {"id": order_id, "entity": "order", "amount": amount, "currency": "INR", "status": "created"}


def order(client, course, coupon):
    return client.post(URL, {"course": str(course.pk), "coupon": coupon}, format="json")


def test_order_with_a_coupon_is_for_the_discounted_amount_and_holds_a_use(client_for, student, paid_course, rzp):
    coupon = make_coupon("SAVE20")
    rzp.post(f"{API}/v1/orders", json=order_answer())
    # when the learner orders with the code
    response = order(client_for(student), paid_course, "save20")
    # then Razorpay's order is for ₹399.20, and the payment stores the quote and holds one use
    assert response.status_code == 201, response.json()
    assert response.json()["amount"] == 39920
    sent = json.loads(rzp.calls[0].request.body)
    assert sent["amount"] == 39920 and sent["notes"]["coupon"] == "SAVE20"
    payment = Payment.objects.get()
    assert (payment.amount, payment.list_price, payment.discount) == (39920, 49900, 9980)
    assert payment.taxable_value + payment.cgst + payment.sgst + payment.igst == 39920
    redemption = CouponRedemption.objects.get()
    assert (redemption.coupon, redemption.payment, redemption.status) == (coupon, payment, "held")
    # a second click with the same code reuses the order, with no second hold
    again = order(client_for(student), paid_course, "SAVE20")
    assert again.status_code == 200 and again.json()["order_id"] == "order_C1"
    assert CouponRedemption.objects.count() == 1 and len(rzp.calls) == 1


def test_paying_redeems_the_hold_and_counts_it(client_for, student, paid_course, rzp):
    coupon = make_coupon("SAVE20")
    rzp.post(f"{API}/v1/orders", json=order_answer())
    order(client_for(student), paid_course, "SAVE20")
    payment = Payment.objects.get()
    # when Razorpay's capture is applied (verify, webhook or reconciliation)
    payment_settle_captured(payment=payment, razorpay_payment=payment_entity(payment))
    # then the use is redeemed and counted once, even if the capture is applied again
    payment_settle_captured(payment=payment, razorpay_payment=payment_entity(payment))
    assert CouponRedemption.objects.get().status == "redeemed"
    assert Coupon.objects.get(pk=coupon.pk).times_redeemed == 1


def test_a_failed_order_releases_its_hold_and_a_late_capture_still_redeems(client_for, student, paid_course, rzp):
    coupon = make_coupon("ONCE", max_redemptions=1)
    rzp.post(f"{API}/v1/orders", json=order_answer())
    order(client_for(student), paid_course, "ONCE")
    payment = Payment.objects.get()
    payment_settle_failed(payment=payment, reason="Card declined")
    assert CouponRedemption.objects.get().status == "released"
    # a capture reported after the failure still ends in paid: the money was taken, the use is final
    payment_settle_captured(payment=payment, razorpay_payment=payment_entity(payment))
    assert CouponRedemption.objects.get().status == "redeemed"
    assert Coupon.objects.get(pk=coupon.pk).times_redeemed == 1


def test_reconciliation_expires_an_abandoned_order_and_releases_the_hold(
    client_for, student, paid_course, rzp, settings
):
    make_coupon("ONCE", max_redemptions=1)
    rzp.post(f"{API}/v1/orders", json=order_answer())
    order(client_for(student), paid_course, "ONCE")
    payment = Payment.objects.get()
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(minutes=31))
    rzp.get(f"{API}/v1/orders/order_C1/payments", json={"entity": "collection", "count": 0, "items": []})
    rzp.get(f"{API}/v1/refunds", json={"entity": "collection", "count": 0, "items": []})
    payments_reconcile()
    assert Payment.objects.get().status == "failed"
    assert CouponRedemption.objects.get().status == "released"


def test_ordering_again_without_the_code_supersedes_the_order_and_releases_the_hold(
    client_for, student, paid_course, rzp
):
    make_coupon("SAVE20")
    rzp.post(f"{API}/v1/orders", json=order_answer())
    order(client_for(student), paid_course, "SAVE20")
    rzp.post(f"{API}/v1/orders", json=order_answer("order_C2", 49900))
    response = client_for(student).post(URL, {"course": str(paid_course.pk)}, format="json")
    assert response.status_code == 201 and response.json()["amount"] == 49900
    assert CouponRedemption.objects.get().status == "released"
    assert Payment.objects.get(razorpay_order_id="order_C1").status == "failed"


@pytest.mark.parametrize("returns_use", [False, True])
def test_a_refund_gives_the_use_back_only_when_configured(client_for, student, paid_course, rzp, settings, returns_use):
    settings.COUPON_REFUND_RETURNS_USE = returns_use
    coupon = make_coupon("SAVE20")
    rzp.post(f"{API}/v1/orders", json=order_answer())
    order(client_for(student), paid_course, "SAVE20")
    payment = Payment.objects.get()
    payment_settle_captured(payment=payment, razorpay_payment=payment_entity(payment))
    payment.refresh_from_db()
    refund = {"id": "rfnd_1", "payment_id": "pay_1", "amount": 39920, "status": "processed"}
    assert payment_settle_refund(payment=payment, refund=refund)
    assert Payment.objects.get().status == "refunded"
    assert CouponRedemption.objects.get().status == ("released" if returns_use else "redeemed")
    assert Coupon.objects.get(pk=coupon.pk).times_redeemed == (0 if returns_use else 1)


def test_a_code_that_makes_the_course_free_enrolls_at_once_without_razorpay(client_for, student, paid_course, rzp):
    coupon = make_coupon("FREE100", value="100")
    # when the learner orders with a 100 % code
    response = order(client_for(student), paid_course, "free100")
    # then they are enrolled (source coupon), no Razorpay call was made and the use is redeemed
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["enrolled"] is True and body["amount"] == 0 and body["coupon"] == "FREE100"
    assert body["course"]["id"] == str(paid_course.pk)
    assert len(rzp.calls) == 0 and not Payment.objects.exists()
    enrollment = Enrollment.objects.get(user=student, course=paid_course)
    assert (enrollment.status, enrollment.source) == ("active", "coupon")
    assert Course.objects.get(pk=paid_course.pk).learner_count == 1
    assert CouponRedemption.objects.get().status == "redeemed"
    assert Coupon.objects.get(pk=coupon.pk).times_redeemed == 1
    # ordering again is refused: already enrolled
    assert order(client_for(student), paid_course, "FREE100").status_code == 409


def test_a_code_leaving_less_than_one_rupee_is_refused(client_for, student, paid_course, rzp):
    make_coupon("ALMOST", discount_type="amount", value="498.01")
    response = order(client_for(student), paid_course, "ALMOST")
    assert response.status_code == 400 and response.json()["code"] == "amount_below_minimum"
    assert "coupon" in response.json()["errors"]
    assert len(rzp.calls) == 0 and not Payment.objects.exists() and not CouponRedemption.objects.exists()


def test_a_used_up_code_opens_no_order(client_for, student, other_student, paid_course, rzp):
    make_coupon("ONCE", value="100", max_redemptions=1)
    assert order(client_for(other_student), paid_course, "ONCE").status_code == 201
    response = order(client_for(student), paid_course, "ONCE")
    assert response.status_code == 400 and response.json()["code"] == "coupon_used_up"
    assert not Enrollment.objects.filter(user=student).exists()


def test_an_open_order_is_retired_when_a_code_enrolls_free_and_its_late_capture_is_a_duplicate(
    client_for, student, paid_course, rzp
):
    # given the learner opened a paid order, then used a 100 % code
    rzp.post(f"{API}/v1/orders", json=order_answer("order_P", 49900))
    assert client_for(student).post(URL, {"course": str(paid_course.pk)}, format="json").status_code == 201
    make_coupon("FREE100", value="100")
    assert order(client_for(student), paid_course, "FREE100").status_code == 201
    stale = Payment.objects.get(razorpay_order_id="order_P")
    assert stale.status == "failed"
    # when the abandoned order is paid late, then it is a duplicate (refunded), not a second purchase
    payment_settle_captured(payment=stale, razorpay_payment=payment_entity(stale))
    stale.refresh_from_db()
    assert stale.status == "failed" and stale.failure_reason.startswith("Duplicate payment")
    assert Enrollment.objects.get(user=student, course=paid_course).source == "coupon"
