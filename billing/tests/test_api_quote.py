"""POST /api/payments/quote/ and GET/PUT /api/payments/billing-details/: prices, GST and coupons."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from model_bakery import baker

from billing.models import BillingDetails, Coupon, CouponRedemption
from billing.tests.conftest import make_payment

pytestmark = pytest.mark.django_db
QUOTE = "/api/payments/quote/"
DETAILS = "/api/payments/billing-details/"
KARNATAKA, MAHARASHTRA = "29", "27"
GSTIN_MH = "27AAPFU0939F1ZV"


def make_coupon(code="SAVE20", *, discount_type="percent", value="20", courses=(), **kwargs) -> Coupon:
    coupon = baker.make(Coupon, code=code, discount_type=discount_type, value=Decimal(value), **kwargs)
    coupon.courses.set(courses)
    return coupon


def quote(client, course, coupon=None):
    body = {"course": str(course.pk)}
    if coupon is not None:
        body["coupon"] = coupon
    return client.post(QUOTE, body, format="json")


def test_quote_without_coupon_splits_gst_within_the_sellers_state(client_for, student, paid_course, settings):
    settings.SELLER_STATE = KARNATAKA
    # when a learner without billing details asks for the price of a ₹499 course
    response = quote(client_for(student), paid_course)
    # then the price includes 18 % GST as CGST + SGST (place of supply: the seller's state)
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "course": str(paid_course.pk),
        "coupon": None,
        "list_price": 49900,
        "discount": 0,
        "taxable_value": 42288,
        "cgst": 3806,
        "sgst": 3806,
        "igst": 0,
        "amount_payable": 49900,
        "currency": "INR",
        "gst_rate": "18",
        "buyer_state": KARNATAKA,
    }


def test_quote_for_a_buyer_in_another_state_is_igst_and_reflects_billing_details(
    client_for, student, paid_course, settings
):
    settings.SELLER_STATE = KARNATAKA
    client = client_for(student)
    # given the learner sets billing details in Maharashtra with a business GSTIN
    put = client.put(DETAILS, {"name": "Asha Traders", "state": MAHARASHTRA, "gstin": GSTIN_MH.lower()}, format="json")
    assert put.status_code == 200, put.json()
    assert put.json() == {"name": "Asha Traders", "state": MAHARASHTRA, "gstin": GSTIN_MH}
    assert client.get(DETAILS).json() == put.json()
    # when they ask for a quote
    body = quote(client, paid_course).json()
    # then the tax is IGST
    assert (body["taxable_value"], body["cgst"], body["sgst"], body["igst"]) == (42288, 0, 0, 7612)
    assert body["buyer_state"] == MAHARASHTRA


def test_prices_exclusive_of_gst_add_the_tax(client_for, student, paid_course, settings):
    settings.PRICES_INCLUDE_GST = False
    body = quote(client_for(student), paid_course).json()
    assert (body["list_price"], body["taxable_value"], body["cgst"], body["sgst"]) == (49900, 49900, 4491, 4491)
    assert body["amount_payable"] == 58882


def test_quote_with_a_percent_coupon(client_for, student, paid_course):
    make_coupon("SAVE20")
    body = quote(client_for(student), paid_course, "save20").json()
    assert (body["coupon"], body["list_price"], body["discount"], body["amount_payable"]) == (
        "SAVE20",
        49900,
        9980,
        39920,
    )
    assert body["taxable_value"] + body["cgst"] + body["sgst"] + body["igst"] == 39920


def test_quote_with_an_amount_coupon_for_a_listed_course(client_for, student, paid_course):
    make_coupon("FLAT100", discount_type="amount", value="100.00", courses=[paid_course])
    body = quote(client_for(student), paid_course, "FLAT100").json()
    assert (body["discount"], body["amount_payable"]) == (10000, 39900)


@pytest.mark.parametrize(
    ("setup", "code", "message"),
    [
        (lambda c: None, "coupon_invalid", "does not exist"),
        (lambda c: make_coupon("X", active=False), "coupon_invalid", "does not exist"),
        (
            lambda c: make_coupon(
                "X", ends_at=timezone.now() - timedelta(seconds=1), starts_at=timezone.now() - timedelta(days=2)
            ),
            "coupon_expired",
            "expired",
        ),
        (lambda c: make_coupon("X", starts_at=timezone.now() + timedelta(days=1)), "coupon_expired", "not valid yet"),
        (
            lambda c: make_coupon("X", courses=[baker.make("catalog.Course", price=Decimal("10"))]),
            "coupon_not_applicable",
            "not valid for this course",
        ),
        (
            lambda c: make_coupon("X", domain=baker.make("catalog.Domain")),
            "coupon_not_applicable",
            "not valid for this course",
        ),
        (lambda c: make_coupon("X", min_price=Decimal("500.00")), "coupon_not_applicable", "at least ₹500.00"),
        (lambda c: make_coupon("X", discount_type="amount", value="498.50"), "amount_below_minimum", "below ₹1.00"),
    ],
    ids=["unknown", "inactive", "expired", "not-started", "other-course", "other-domain", "min-price", "below-1"],
)
def test_a_code_that_does_not_apply_is_a_field_error(client_for, student, paid_course, setup, code, message):
    setup(paid_course)
    response = quote(client_for(student), paid_course, "X")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code and message in body["errors"]["coupon"][0]


def test_used_up_and_already_used_codes(client_for, student, other_student, paid_course):
    coupon = make_coupon("ONCE", max_redemptions=1)
    # given the other learner redeemed the only use
    paid = make_payment(other_student, paid_course, status="paid", payment_id="pay_x")
    baker.make(
        CouponRedemption,
        coupon=coupon,
        user=other_student,
        course=paid_course,
        payment=paid,
        status="redeemed",
        discount=1,
    )
    # then the code is used up for everyone else, and already used for them
    assert quote(client_for(student), paid_course, "ONCE").json()["code"] == "coupon_used_up"
    assert quote(client_for(other_student), paid_course, "ONCE").json()["code"] == "coupon_already_used"


def test_an_abandoned_hold_no_longer_counts(client_for, student, other_student, paid_course, settings):
    coupon = make_coupon("ONCE", max_redemptions=1)
    order = make_payment(other_student, paid_course, razorpay_order_id="order_h", receipt="dca_h")
    held = baker.make(
        CouponRedemption, coupon=coupon, user=other_student, course=paid_course, payment=order, discount=1
    )
    # while the other learner's order can still be paid, the use is held
    assert quote(client_for(student), paid_course, "ONCE").json()["code"] == "coupon_used_up"
    # past the order-reuse window the hold is released by itself
    CouponRedemption.objects.filter(pk=held.pk).update(
        created_at=timezone.now() - timedelta(minutes=settings.BILLING_ORDER_REUSE_MINUTES + 1)
    )
    assert quote(client_for(student), paid_course, "ONCE").status_code == 200


def test_quote_refuses_free_course_and_other_roles(client_for, student, instructor, free_course, paid_course):
    assert quote(client_for(student), free_course).json()["code"] == "course_is_free"
    assert quote(client_for(instructor), paid_course).status_code == 403
    assert quote(client_for(None), paid_course).status_code == 401
    bad = client_for(student).post(QUOTE, {"course": "nope", "coupon": "x" * 40}, format="json")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"course", "coupon"}


def test_quote_query_count(client_for, student, paid_course, django_assert_max_num_queries):
    make_coupon("SAVE20", courses=[paid_course])
    client = client_for(student)
    # course, coupon, its courses, total uses, my uses, billing details
    with django_assert_max_num_queries(6):
        assert quote(client, paid_course, "SAVE20").status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"gstin": "27AAPFU0939F1ZW"}, "gstin"),  # wrong check character
        ({"gstin": "NOTAGSTIN"}, "gstin"),
        ({"state": "29", "gstin": GSTIN_MH}, "gstin"),  # registered in Maharashtra
        ({"state": "99"}, "state"),
        ({"name": "x" * 151}, "name"),
    ],
)
def test_billing_details_refuse_bad_input_and_change_nothing(client_for, student, body, field):
    response = client_for(student).put(DETAILS, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not BillingDetails.objects.exists()


def test_billing_details_state_comes_from_the_gstin_and_are_private(client_for, student, other_student):
    client_for(student).put(DETAILS, {"name": "Asha", "gstin": GSTIN_MH}, format="json")
    assert BillingDetails.objects.get(user=student).state == MAHARASHTRA
    # another learner sees only their own (empty) details
    assert client_for(other_student).get(DETAILS).json() == {"name": "", "state": "", "gstin": ""}
