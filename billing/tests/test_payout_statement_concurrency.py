"""Payout statements written by concurrent runs, on real PostgreSQL with real threads."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from billing.models import EarningEntry, PayoutStatement, PayoutStatementLine
from billing.services import payment_settle_captured, payout_statements_issue
from billing.tests.conftest import make_payment, payment_entity
from tests.support.concurrency import returned, run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.calendar]
IST = ZoneInfo("Asia/Kolkata")


def test_concurrent_runs_for_a_month_write_each_statement_once(make_user, paid_course):
    # given six sales in November
    with time_machine.travel(datetime.datetime(2026, 11, 10, 12, tzinfo=IST), tick=False):
        for i in range(6):
            payment = make_payment(make_user(), paid_course, razorpay_order_id=f"order_{i}", receipt=f"dca_{i}")
            payment_settle_captured(payment=payment, razorpay_payment=payment_entity(payment, pay_id=f"pay_{i}"))

    def run():
        return payout_statements_issue(month=datetime.date(2026, 11, 1))

    # when four runs of the command for November start at the same moment on 1 December (one clock for all threads)
    with time_machine.travel(datetime.datetime(2026, 12, 1, 6, tzinfo=IST), tick=False):
        outcomes = returned(run_concurrently(run, times=4))
    # then one wrote the statement, the others found it; every entry is on it once
    assert sorted(outcome["issued"] for outcome in outcomes) == [0, 0, 0, 1]
    statement = PayoutStatement.objects.get()
    assert statement.number == "DCA-PS/2026-11/000001"
    assert PayoutStatementLine.objects.count() == EarningEntry.objects.count() == 6
    assert statement.net == 6 * 29602
