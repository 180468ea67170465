"""Invoice and credit-note numbers under concurrent settlements, on real PostgreSQL with real threads."""

from __future__ import annotations

import pytest

from billing.models import Payment, TaxDocument
from billing.services import payment_settle_captured, payment_settle_refund
from billing.tests.conftest import make_payment, payment_entity
from tests.support.concurrency import returned, run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.calendar]


def _numbers(kind: str) -> list[int]:
    return sorted(
        int(number.rsplit("/", 1)[1])
        for number in TaxDocument.objects.filter(kind=kind).values_list("number", flat=True)
    )


def test_concurrent_settlements_number_invoices_and_credit_notes_without_gaps(make_user, paid_course):
    # given twelve learners' open orders
    orders = [
        make_payment(make_user("student"), paid_course, razorpay_order_id=f"order_{i}", receipt=f"dca_{i}")
        for i in range(12)
    ]
    # when all twelve captures (and repeats of them) are applied at the same moment
    captures = [
        lambda p=p, i=i: payment_settle_captured(payment=p, razorpay_payment=payment_entity(p, pay_id=f"pay_{i}"))
        for i, p in enumerate(orders)
    ]
    returned(run_concurrently(*captures, times=2))
    # then twelve invoices are numbered 1..12: no gap, no duplicate
    assert Payment.objects.filter(status="paid").count() == 12
    assert _numbers("invoice") == list(range(1, 13))
    # when they are all refunded at once
    refunds = [
        lambda p=p, i=i: payment_settle_refund(
            payment=p, refund={"id": f"rfnd_{i}", "payment_id": f"pay_{i}", "amount": p.amount, "status": "processed"}
        )
        for i, p in enumerate(orders)
    ]
    returned(run_concurrently(*refunds, times=2))
    # then twelve credit notes, numbered 1..12 in their own series
    assert _numbers("credit_note") == list(range(1, 13))
    assert all(document.invoice_id for document in TaxDocument.objects.filter(kind="credit_note"))
