"""Webhooks in any order, duplicated or lost, converge on Razorpay's state (issue #15.9).

Razorpay is faked at the HTTP boundary: for each scenario it holds the payments of one order and their
refunds, answers the API from that state, and the webhook events are snapshots taken along the way.
Every ordered selection of the events (each order of each subset: the others are lost) is delivered,
the first one once more (a redelivery), then reconciliation runs; the final state must be Razorpay's.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
import responses
from django.utils import timezone
from model_bakery import baker

from billing.models import Payment, WebhookEvent
from billing.services import payments_reconcile, webhook_event_process
from billing.tests.conftest import API, make_payment, payment_entity
from catalog.models import Course, Enrollment

pytestmark = pytest.mark.django_db


def sequences(names: list[str]):
    for size in range(len(names) + 1):
        yield from itertools.permutations(names, size)


class FakeRazorpay:
    """One order at Razorpay: a failed attempt, a captured payment and, if ``refunded``, its full refund."""

    def __init__(self, rzp, payment: Payment, *, tag: str, refunded: bool):
        self.payment, self.refunded = payment, refunded
        self.pay_id, self.failed_id, self.refund_id = f"pay_{tag}", f"pay_{tag}_failed", f"rfnd_{tag}"
        rzp.reset()
        now = payment_entity(payment, pay_id=self.pay_id, status="refunded" if refunded else "captured")
        failed = payment_entity(payment, pay_id=self.failed_id, status="failed")
        refunds = [self.refund("processed")] if refunded else []
        rzp.get(f"{API}/v1/payments/{self.pay_id}", json=now)
        rzp.get(f"{API}/v1/payments/{self.failed_id}", json=failed)
        rzp.get(f"{API}/v1/orders/{payment.razorpay_order_id}/payments", json={"items": [failed, now]})
        rzp.get(f"{API}/v1/payments/{self.pay_id}/refunds", json={"items": refunds})
        rzp.get(f"{API}/v1/refunds", json={"items": refunds})

    def refund(self, status: str) -> dict:
        return {"id": self.refund_id, "payment_id": self.pay_id, "amount": self.payment.amount, "status": status}

    def events(self) -> dict[str, dict]:
        """The webhook events Razorpay sent (or tried to), as snapshots of the moment each was sent."""
        captured = payment_entity(self.payment, pay_id=self.pay_id)
        events = {
            "payment.failed": {"payment": payment_entity(self.payment, pay_id=self.failed_id, status="failed")},
            "payment.captured": {"payment": captured},
            "order.paid": {"payment": captured, "order": {"id": self.payment.razorpay_order_id, "status": "paid"}},
        }
        if self.refunded:
            events["refund.created"] = {"refund": self.refund("pending"), "payment": captured}
            events["refund.processed"] = {"refund": self.refund("processed"), "payment": captured}
        return {
            name: {"entity": "event", "event": name, "payload": {k: {"entity": v} for k, v in entities.items()}}
            for name, entities in events.items()
        }


def deliver(sequence: tuple[str, ...], events: dict[str, dict], tag: str) -> None:
    for name in sequence:
        webhook_event_process(event_id=f"{tag}:{name}", payload=events[name])
    if sequence:
        # Razorpay redelivers the first event (same id), after all the others.
        webhook_event_process(event_id=f"{tag}:{sequence[0]}", payload=events[sequence[0]])


def converge(rzp, course, *, refunded: bool):
    fake_events = ["payment.failed", "payment.captured", "order.paid"]
    if refunded:
        fake_events += ["refund.created", "refund.processed"]
    for number, sequence in enumerate(sequences(fake_events)):
        tag = f"s{number}"
        student = baker.make("accounts.User", role="student")
        payment = make_payment(student, course, razorpay_order_id=f"order_{tag}", receipt=f"r_{tag}")
        Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(hours=2))
        fake = FakeRazorpay(rzp, payment, tag=tag, refunded=refunded)
        # when the events arrive in this order (the missing ones lost), then reconciliation runs
        deliver(sequence, fake.events(), tag)
        payments_reconcile(older_than=timedelta(0))
        # then our state is Razorpay's
        payment.refresh_from_db()
        enrolled = Enrollment.objects.filter(user=student, course=course, status="active").exists()
        state = (payment.status, payment.payment_id, enrolled)
        expected = ("refunded", fake.pay_id, False) if refunded else ("paid", fake.pay_id, True)
        assert state == expected, f"after {sequence}: {state}"
        assert not WebhookEvent.objects.filter(outcome="pending").exists(), sequence
    course.refresh_from_db()
    assert course.learner_count == Enrollment.objects.filter(course=course, status="active").count()
    return number + 1


@pytest.fixture
def course(instructor):
    return baker.make(Course, instructor=instructor, status="published", price=Decimal("499.00"))


def test_captured_then_refunded_at_razorpay_ends_refunded_whatever_the_delivery(rzp, course):
    # given Razorpay: one failed attempt, then a captured payment, refunded in full
    checked = converge(rzp, course, refunded=True)
    # (every ordered subset of the five events: 1 + 5 + 20 + 60 + 120 + 120)
    assert checked == 326


def test_captured_at_razorpay_ends_paid_and_enrolled_whatever_the_delivery(rzp, course):
    checked = converge(rzp, course, refunded=False)
    assert checked == 16


def test_refund_before_capture_is_decided_from_razorpay_and_the_late_capture_grants_nothing(
    rzp, student, course, django_capture_on_commit_callbacks
):
    # given the refund event is delivered before any capture event
    payment = make_payment(student, course, razorpay_order_id="order_x", receipt="r_x")
    events = FakeRazorpay(rzp, payment, tag="x", refunded=True).events()
    # when it arrives, Razorpay's payment entity decides: paid and refunded, never any access
    assert webhook_event_process(event_id="1", payload=events["refund.processed"]) == "applied"
    payment.refresh_from_db()
    assert (payment.status, payment.payment_id, payment.refund_id) == ("refunded", "pay_x", "rfnd_x")
    assert [call.request.url for call in rzp.calls] == [f"{API}/v1/payments/pay_x"]
    # and the late capture changes nothing: no enrollment, no receipt
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert webhook_event_process(event_id="2", payload=events["payment.captured"]) == "no_change"
    assert not callbacks
    assert not Enrollment.objects.filter(user=student).exists()


def test_refund_event_kept_pending_while_razorpay_is_down_then_applied_by_reconciliation(rzp, student, course):
    payment = make_payment(student, course, razorpay_order_id="order_y", receipt="r_y")
    fake = FakeRazorpay(rzp, payment, tag="y", refunded=True)
    events = fake.events()
    # given Razorpay's API is unreachable when the early refund event arrives
    rzp.reset()
    assert webhook_event_process(event_id="1", payload=events["refund.processed"]) == "pending"
    assert WebhookEvent.objects.get(event_id="1").outcome == "pending"
    # when the capture arrives, access is granted for now (Razorpay said captured)
    assert webhook_event_process(event_id="2", payload=events["payment.captured"]) == "applied"
    # and when reconciliation runs with Razorpay back (the refund already out of its recent-refunds
    # window), the kept event is applied: refunded and revoked
    FakeRazorpay(rzp, payment, tag="y", refunded=True)
    rzp.replace(responses.GET, f"{API}/v1/refunds", json={"items": []})
    counts = payments_reconcile(older_than=timedelta(0))
    payment.refresh_from_db()
    assert counts["events_retried"] == 1 and payment.status == "refunded"
    assert WebhookEvent.objects.get(event_id="1").outcome == "applied"
    assert Enrollment.objects.get(user=student).status == "revoked"


def test_a_redelivered_pending_event_is_applied_not_called_a_duplicate(rzp, student, course):
    payment = make_payment(student, course, razorpay_order_id="order_z", receipt="r_z")
    events = FakeRazorpay(rzp, payment, tag="z", refunded=True).events()
    rzp.reset()
    assert webhook_event_process(event_id="1", payload=events["refund.processed"]) == "pending"
    FakeRazorpay(rzp, payment, tag="z", refunded=True)
    assert webhook_event_process(event_id="1", payload=events["refund.processed"]) == "applied"
    assert webhook_event_process(event_id="1", payload=events["refund.processed"]) == "duplicate"


def test_reconciliation_finds_a_paid_payment_that_razorpay_shows_refunded(rzp, student, course):
    # given a paid purchase whose refund.processed webhook was lost (refund made from the dashboard)
    payment = make_payment(student, course, status="paid", payment_id="pay_w", razorpay_order_id="o_w", receipt="r_w")
    baker.make(Enrollment, user=student, course=course, source="payment")
    refund = {"id": "rfnd_w", "payment_id": "pay_w", "amount": payment.amount, "status": "processed"}
    rzp.get(f"{API}/v1/refunds", json={"items": [refund]})
    # when reconciliation runs (twice)
    first, second = payments_reconcile(), payments_reconcile()
    # then the payment is refunded and access revoked, once
    payment.refresh_from_db()
    assert (first["refunds_applied"], second["refunds_applied"]) == (1, 0)
    assert payment.status == "refunded" and payment.refund_id == "rfnd_w"
    assert Enrollment.objects.get(user=student).status == "revoked"
    assert "from=" in rzp.calls[0].request.url
