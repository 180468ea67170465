from __future__ import annotations

from unittest import mock

import pytest
from django.core import mail
from model_bakery import baker
from rest_framework.test import APIClient

from billing import services
from billing.models import Payment, WebhookEvent
from billing.tests.conftest import event_body, make_payment, payment_entity, post_webhook
from catalog.models import Enrollment

pytestmark = pytest.mark.django_db


@pytest.fixture
def hook():
    # Razorpay's servers: no login, no CSRF token.
    return APIClient(enforce_csrf_checks=True)


def captured_event(order, event="payment.captured", **kw):
    return event_body(event, payment=payment_entity(order, **kw))


def test_payment_captured_marks_paid_and_enrolls(hook, student, paid_course, order, django_capture_on_commit_callbacks):
    # when Razorpay reports the capture
    with django_capture_on_commit_callbacks(execute=True):
        response = post_webhook(hook, captured_event(order), event_id="evt_1")
    # then the payment is paid, the learner enrolled, the event recorded with its effect
    assert response.status_code == 200 and response.json() == {"status": "applied"}
    order.refresh_from_db()
    assert order.status == "paid" and order.payment_id == "pay_1" and order.paid_at
    assert Enrollment.objects.get(user=student, course=paid_course).source == "payment"
    event = WebhookEvent.objects.get()
    assert (event.event_id, event.event_type, event.payment_id, event.outcome) == (
        "evt_1",
        "payment.captured",
        order.pk,
        "applied",
    )
    assert len(mail.outbox) == 1


def test_order_paid_alone_also_settles(hook, order):
    body = event_body(
        "order.paid",
        payment=payment_entity(order),
        order={"id": order.razorpay_order_id, "amount_paid": order.amount, "status": "paid"},
    )
    assert post_webhook(hook, body, event_id="evt_op").json() == {"status": "applied"}
    order.refresh_from_db()
    assert order.status == "paid"


def test_replayed_three_times_is_applied_once(hook, order):
    body = captured_event(order)
    results = [post_webhook(hook, body, event_id="evt_1").json()["status"] for _ in range(4)]
    assert results == ["applied", "duplicate", "duplicate", "duplicate"]
    assert WebhookEvent.objects.count() == 1 and Enrollment.objects.count() == 1


def test_events_out_of_order_end_paid(hook, order):
    # given the capture arrives, then order.paid, then a stale payment.failed for an earlier attempt
    assert post_webhook(hook, captured_event(order), event_id="e1").json()["status"] == "applied"
    assert post_webhook(hook, captured_event(order, "order.paid"), event_id="e2").json()["status"] == "no_change"
    failed = event_body("payment.failed", payment=payment_entity(order, pay_id="pay_0", status="failed"))
    assert post_webhook(hook, failed, event_id="e3").json()["status"] == "no_change"
    # then the payment stays paid with one enrollment
    order.refresh_from_db()
    assert order.status == "paid" and order.payment_id == "pay_1"
    assert Enrollment.objects.count() == 1


def test_failure_then_late_capture_ends_paid(hook, order):
    failed = event_body("payment.failed", payment=payment_entity(order, pay_id="pay_0", status="failed"))
    assert post_webhook(hook, failed, event_id="e1").json()["status"] == "applied"
    order.refresh_from_db()
    assert order.status == "failed" and order.failure_reason == "Card declined by bank"
    assert post_webhook(hook, captured_event(order), event_id="e2").json()["status"] == "applied"
    order.refresh_from_db()
    assert order.status == "paid" and Enrollment.objects.count() == 1


@pytest.mark.parametrize("signature", ["", "deadbeef", "forged"])
def test_bad_signature_is_400_and_applies_nothing(hook, order, signature):
    response = post_webhook(hook, captured_event(order), event_id="evt_1", signature=signature)
    assert response.status_code == 400 and response.json()["code"] == "invalid_signature"
    order.refresh_from_db()
    assert order.status == "created" and not WebhookEvent.objects.exists()


def test_tampered_body_is_refused(hook, order):
    import hashlib
    import hmac

    body = captured_event(order)
    signature = hmac.new(b"webhook-secret", body, hashlib.sha256).hexdigest()
    tampered = body.replace(b'"amount": 49900', b'"amount": 100')
    response = post_webhook(hook, tampered, event_id="evt_1", signature=signature)
    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_signed_with_key_secret_is_refused(hook, order):
    response = post_webhook(hook, captured_event(order), event_id="evt_1", secret="key-secret")
    assert response.status_code == 400


def test_unconfigured_webhook_secret_refuses_everything(hook, order, settings):
    settings.RAZORPAY_WEBHOOK_SECRET = ""
    assert post_webhook(hook, captured_event(order), event_id="evt_1", secret="").status_code == 400


def test_amount_mismatch_is_recorded_but_not_paid(hook, order):
    response = post_webhook(hook, captured_event(order, amount=100), event_id="evt_1")
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    order.refresh_from_db()
    assert order.status == "created" and not Enrollment.objects.exists()


def test_unknown_event_is_acknowledged(hook):
    body = event_body("subscription.charged", subscription={"id": "sub_1"})
    assert post_webhook(hook, body, event_id="evt_x").json() == {"status": "ignored"}


def test_event_for_an_unknown_order_is_acknowledged(hook, order):
    body = captured_event(order, order_id="order_not_ours")
    assert post_webhook(hook, body, event_id="evt_x").json() == {"status": "ignored"}
    order.refresh_from_db()
    assert order.status == "created"


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]"])
def test_signed_garbage_is_400(hook, body):
    response = post_webhook(hook, body, event_id="evt_x")
    assert response.status_code == 400 and response.json()["code"] == "invalid_webhook"


def test_refund_processed_refunds_and_revokes_keeping_progress(hook, student, paid_course):
    # given a paid purchase with some progress and a refund in flight
    payment = make_payment(
        student, paid_course, status="refund_pending", payment_id="pay_9", refund_id="rfnd_1", razorpay_order_id="o9"
    )
    baker.make("catalog.Enrollment", user=student, course=paid_course, source="payment", completed_lessons=3)
    paid_course.learner_count = 1
    paid_course.save()
    body = event_body(
        "refund.processed",
        refund={"id": "rfnd_1", "payment_id": "pay_9", "amount": payment.amount, "status": "processed"},
    )
    # when Razorpay reports it processed
    assert post_webhook(hook, body, event_id="evt_r").json() == {"status": "applied"}
    # then the payment is refunded and access revoked, progress kept
    payment.refresh_from_db()
    assert payment.status == "refunded" and payment.refunded_at
    enrollment = Enrollment.objects.get()
    assert enrollment.status == "revoked" and enrollment.completed_lessons == 3
    paid_course.refresh_from_db()
    assert paid_course.learner_count == 0
    # and a replay with a new event id changes nothing
    assert post_webhook(hook, body, event_id="evt_r2").json() == {"status": "no_change"}


def test_refund_failed_returns_to_paid(hook, student, paid_course):
    payment = make_payment(
        student, paid_course, status="refund_pending", payment_id="pay_9", refund_id="rfnd_1", razorpay_order_id="o9"
    )
    body = event_body("refund.failed", refund={"id": "rfnd_1", "payment_id": "pay_9", "amount": 1, "status": "failed"})
    assert post_webhook(hook, body, event_id="evt_rf").json() == {"status": "applied"}
    payment.refresh_from_db()
    assert payment.status == "paid"


def test_a_capture_replayed_while_a_refund_is_pending_changes_nothing(hook, student, paid_course):
    # given a paid purchase whose refund is in flight
    payment = make_payment(
        student, paid_course, status="refund_pending", payment_id="pay_9", refund_id="rfnd_1", razorpay_order_id="o9"
    )
    # when Razorpay delivers (again) the capture of that payment
    body = event_body("payment.captured", payment=payment_entity(payment, pay_id="pay_9"))
    assert post_webhook(hook, body, event_id="evt_late").json() == {"status": "no_change"}
    # then the refund is still pending: the capture neither cancels it nor records a second sale
    payment.refresh_from_db()
    assert (payment.status, payment.refund_id) == ("refund_pending", "rfnd_1")
    assert not payment.tax_documents.exists() and not payment.earnings.exists()


def test_partial_refund_keeps_access(hook, student, paid_course):
    payment = make_payment(student, paid_course, status="paid", payment_id="pay_9", razorpay_order_id="o9")
    body = event_body(
        "refund.processed", refund={"id": "r", "payment_id": "pay_9", "amount": 100, "status": "processed"}
    )
    assert post_webhook(hook, body, event_id="evt_p").json() == {"status": "no_change"}
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID


def test_webhook_is_fast(hook, order, django_assert_max_num_queries):
    # 15 statements: SAVEPOINT; the event's INSERT … ON CONFLICT (its row is the delivery's lock), the payment
    # found and locked by its order, the duplicate checks (owned payment, coupon enrollment) in one, payment
    # update, enrollment INSERT … ON CONFLICT, learner counter, the coupon hold lookup, the invoice (billing
    # details, number upsert, insert), the earning (commission override, insert), event update; RELEASE. No
    # gateway call at all.
    with django_assert_max_num_queries(15):
        post_webhook(hook, captured_event(order), event_id="evt_1")


def test_an_event_whose_application_fails_is_kept_pending_and_applied_when_redelivered(hook, student, order):
    # given the settlement fails unexpectedly (a bug, a lost connection) on the first delivery
    body = captured_event(order)
    failure = RuntimeError("settlement failed")
    with mock.patch.object(services, "enrollment_grant", side_effect=failure), pytest.raises(RuntimeError):
        post_webhook(hook, body, event_id="evt_f")
    # then nothing of the settlement stays, but the event does, pending (the retry sweep would apply it)
    order.refresh_from_db()
    assert order.status == "created" and not Enrollment.objects.exists()
    assert WebhookEvent.objects.get(event_id="evt_f").outcome == "pending"
    # and Razorpay's redelivery applies it, once
    assert post_webhook(hook, body, event_id="evt_f").json() == {"status": "applied"}
    assert post_webhook(hook, body, event_id="evt_f").json() == {"status": "duplicate"}
    order.refresh_from_db()
    assert order.status == "paid" and Enrollment.objects.get(user=student).status == "active"
    assert WebhookEvent.objects.get(event_id="evt_f").outcome == "applied"
