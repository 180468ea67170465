"""Twenty learners racing for the last use of a code, on real PostgreSQL with real threads."""

from __future__ import annotations

from decimal import Decimal

import pytest
from model_bakery import baker
from rest_framework.test import APIClient

from billing.models import Coupon, CouponRedemption, Payment
from billing.services import coupon_create, payment_settle_captured
from billing.tests.conftest import API, payment_entity
from catalog.models import Enrollment
from common.exceptions import ConflictError
from tests.support.concurrency import raised, returned, run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(learners, course, code) -> list[tuple[int, dict]]:
    def buy(user) -> tuple[int, dict]:
        client = APIClient()
        client.force_authenticate(user)
        response = client.post("/api/payments/order/", {"course": str(course.pk), "coupon": code}, format="json")
        return response.status_code, response.json()

    return returned(run_concurrently(*[lambda u=u: buy(u) for u in learners]))


def test_twenty_learners_racing_for_the_last_use_produce_one_paid_order(make_user, paid_course, rzp, settings):
    settings.RATELIMIT_ENABLE = False
    coupon = baker.make(Coupon, code="LAST", discount_type="percent", value=Decimal("10"), max_redemptions=1)
    counter = iter(range(100))
    rzp.add_callback(
        "POST",
        f"{API}/v1/orders",
        callback=lambda request: (200, {}, f'{{"id": "order_{next(counter)}", "status": "created"}}'),
    )
    learners = [make_user("student") for _ in range(20)]
    # when twenty learners order with the code at the same moment
    results = _race(learners, paid_course, "LAST")
    # then exactly one got an order with the code; the others were told it is used up, and nothing else was kept
    assert sorted(status for status, _ in results) == [201] + [400] * 19
    assert {body["code"] for status, body in results if status == 400} == {"coupon_used_up"}
    payment = Payment.objects.get()
    assert CouponRedemption.objects.get().payment == payment
    # when it is paid, the code counts one use
    payment_settle_captured(payment=payment, razorpay_payment=payment_entity(payment))
    assert Coupon.objects.get(pk=coupon.pk).times_redeemed == 1
    assert Payment.objects.filter(status="paid").count() == 1


def test_twenty_learners_racing_for_the_last_free_enrollment_get_one(make_user, paid_course, rzp, settings):
    settings.RATELIMIT_ENABLE = False
    coupon = baker.make(Coupon, code="GIFT", discount_type="percent", value=Decimal("100"), max_redemptions=1)
    learners = [make_user("student") for _ in range(20)]
    results = _race(learners, paid_course, "GIFT")
    assert sorted(status for status, _ in results) == [201] + [400] * 19
    assert Enrollment.objects.filter(course=paid_course, source="coupon").count() == 1
    assert Coupon.objects.get(pk=coupon.pk).times_redeemed == 1
    assert len(rzp.calls) == 0


def test_concurrent_instructor_creations_stop_at_the_cap(instructor, paid_course, settings):
    settings.INSTRUCTOR_COUPON_CAP = 3

    def create(i: int):
        data = {"code": f"MINE{i}", "discount_type": "percent", "value": Decimal("10"), "courses": [paid_course]}
        return coupon_create(actor=instructor, data=data)

    outcomes = run_concurrently(*[lambda i=i: create(i) for i in range(8)])
    errors = raised(outcomes)
    assert len(errors) == 5 and all(isinstance(error, ConflictError) for error in errors)
    assert Coupon.objects.filter(created_by=instructor).count() == 3
