"""Monthly payout statements: periods in TIME_ZONE, late entries and refunds after a payout on the next
statement, negative balances carried forward, idempotent issuing, files, marking paid, and the routes."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db.models import F
from model_bakery import baker
from pypdf import PdfReader

from audit.models import AuditLog
from billing.models import EarningEntry, PayoutStatement, PayoutStatementLine
from billing.services import (
    payment_settle_captured,
    payment_settle_refund,
    payout_statement_mark_paid,
    payout_statements_issue,
)
from billing.tasks import payout_statements_render_pending
from billing.tests.conftest import make_payment, payment_entity
from common.exceptions import ApplicationError

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]
IST = ZoneInfo("Asia/Kolkata")
OCTOBER, NOVEMBER, DECEMBER = datetime.date(2026, 10, 1), datetime.date(2026, 11, 1), datetime.date(2026, 12, 1)
# One sale of the ₹499 course (intra-state GST, 30 % commission): gross, GST, commission, net in paise.
SALE = (49900, 7612, 12686, 29602)


def at(month: int, day: int, hour: int = 12, minute: int = 0, year: int = 2026) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=IST)


@pytest.fixture
def sell(make_user, paid_course, django_capture_on_commit_callbacks):
    """``sell(moment)``: a new learner buys the course at ``moment``; returns the payment."""
    counter = iter(range(1000))

    def make(moment: datetime.datetime, course=paid_course):
        n = next(counter)
        with time_machine.travel(moment, tick=False):
            payment = make_payment(make_user(), course, razorpay_order_id=f"order_{n}", receipt=f"dca_{n}")
            with django_capture_on_commit_callbacks(execute=True):
                payment_settle_captured(payment=payment, razorpay_payment=payment_entity(payment, pay_id=f"pay_{n}"))
        payment.refresh_from_db()
        return payment

    return make


def refund(payment, moment: datetime.datetime) -> None:
    with time_machine.travel(moment, tick=False):
        payment_settle_refund(
            payment=payment,
            refund={
                "id": f"rfnd_{payment.pk}",
                "payment_id": payment.payment_id,
                "amount": 49900,
                "status": "processed",
            },
        )


@pytest.fixture
def issue(django_capture_on_commit_callbacks):
    """``issue(month, moment)``: run the statements of ``month`` at ``moment``, files rendered (the task's work)."""

    def run(month: datetime.date, moment: datetime.datetime, **kwargs) -> dict[str, int]:
        with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
            return payout_statements_issue(month=month, **kwargs)

    return run


def statement_of(instructor, month: datetime.date) -> PayoutStatement:
    return PayoutStatement.objects.get(instructor=instructor, month=month)


def totals(statement: PayoutStatement) -> tuple[int, ...]:
    return (statement.opening_balance, statement.gross, statement.tax, statement.commission, statement.net,
            statement.payable)  # fmt: skip


def pdf_text(statement: PayoutStatement) -> str:
    statement.refresh_from_db()
    with statement.file.open("rb") as handle:
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


def csv_rows(statement: PayoutStatement) -> list[list[str]]:
    statement.refresh_from_db()
    with statement.csv_file.open("rb") as handle:
        return list(csv.reader(io.StringIO(handle.read().decode())))


# --- Periods -----------------------------------------------------------------------------------------


def test_a_closed_month_gets_a_numbered_statement_with_its_entries_and_files(instructor, sell, issue):
    # given two sales in November, one with a coupon code, and one in December
    first = sell(at(11, 3))
    sell(at(11, 20))
    EarningEntry.objects.filter(payment=first).update(coupon_code="=HYPERLINK(1)")
    sell(at(12, 1, 9))
    # when November's statements are written on 1 December
    counts = issue(NOVEMBER, at(12, 1, 6))
    # then the instructor has one statement of November's two entries, net of GST and commission
    assert counts == {"issued": 1, "unchanged": 0}
    statement = statement_of(instructor, NOVEMBER)
    assert statement.number == "DCA-PS/2026-11/000001" and statement.status == "issued"
    assert totals(statement) == (0, *(2 * amount for amount in SALE), 2 * SALE[3])
    assert statement.lines.count() == 2
    # and its CSV has one row per entry (rupees, local date, formula cells neutralised)
    header, *rows = csv_rows(statement)
    assert header == ["date", "course", "payment", "receipt", "kind", "gross", "gst", "commission", "net", "coupon"]
    assert rows[0] == ["2026-11-03", "Django Deep Dive", "pay_0", "dca_0", "sale", "499.00", "76.12", "126.86",
                       "296.02", "'=HYPERLINK(1)"]  # fmt: skip
    assert [row[0] for row in rows] == ["2026-11-03", "2026-11-20"]
    # and its PDF says so
    text = pdf_text(statement)
    for expected in ("Payout Statement", "DCA-PS/2026-11/000001", "November 2026", instructor.email,
                     "Django Deep Dive", "pay_1", "INR 296.02", "INR 592.04", "Payable"):  # fmt: skip
        assert expected in text, expected


def test_month_boundaries_are_local_midnights(instructor, sell, issue):
    # given a sale at 23:30 on 30 November and one at 00:10 on 1 December, in TIME_ZONE (IST)
    sell(at(11, 30, 23, 30))
    sell(at(12, 1, 0, 10))
    # when November's statements are written
    issue(NOVEMBER, at(12, 1, 6))
    # then only the first is November's (UTC would have put both on 30 November)
    assert statement_of(instructor, NOVEMBER).lines.count() == 1


def test_an_entry_of_a_closed_month_not_yet_stated_lands_on_the_next_statement(instructor, sell, issue):
    # given a sale in October that no October statement took, and one in November
    sell(at(10, 15))
    sell(at(11, 15))
    # when November is written first
    issue(NOVEMBER, at(12, 2))
    # then November's statement holds both, and October has nothing left to state
    assert statement_of(instructor, NOVEMBER).lines.count() == 2
    assert issue(OCTOBER, at(12, 2)) == {"issued": 0, "unchanged": 0}
    # given an entry dated in November that committed after November's statement was written
    late = sell(at(12, 1, 0, 5))
    EarningEntry.objects.filter(payment=late).update(created_at=at(11, 30, 23, 59))
    # then re-running November changes nothing, and December's statement takes it
    assert issue(NOVEMBER, at(12, 2)) == {"issued": 0, "unchanged": 1}
    assert statement_of(instructor, NOVEMBER).lines.count() == 2
    issue(DECEMBER, at(1, 2, year=2027))
    assert list(statement_of(instructor, DECEMBER).lines.values_list("entry__payment", flat=True)) == [late.pk]


def test_a_refund_after_a_payout_is_a_negative_line_next_month_and_a_negative_balance_carries_forward(
    instructor, admin_user, sell, issue
):
    # given October's sale stated and paid out
    sold = sell(at(10, 10))
    issue(OCTOBER, at(11, 1, 6))
    payout_statement_mark_paid(statement=statement_of(instructor, OCTOBER), actor=admin_user, reference="UTR1")
    # when it is refunded in November, with no other sale that month
    refund(sold, at(11, 5))
    issue(NOVEMBER, at(12, 1, 6))
    # then October's paid statement is untouched and November's shows the refund as a negative line
    assert totals(statement_of(instructor, OCTOBER)) == (0, *SALE, SALE[3])
    november = statement_of(instructor, NOVEMBER)
    assert totals(november) == (0, *(-amount for amount in SALE), 0)
    assert november.closing_balance == -SALE[3]
    (line,) = november.lines.select_related("entry")
    assert line.entry.kind == "refund" and line.entry.net == -SALE[3]
    assert "INR -296.02" in pdf_text(november)
    # when December has two sales, the negative balance is carried in and taken off what is paid
    sell(at(12, 3))
    sell(at(12, 4))
    issue(DECEMBER, at(1, 1, 6, year=2027))
    december = statement_of(instructor, DECEMBER)
    assert totals(december) == (-SALE[3], *(2 * amount for amount in SALE), SALE[3])
    assert december.closing_balance == SALE[3]


def test_each_entry_is_on_exactly_one_statement(instructor, other_instructor, sell, issue):
    # given sales of two instructors over three months
    other_course = baker.make(
        "catalog.Course", instructor=other_instructor, status="published", price=Decimal("499.00")
    )
    for month in (10, 11, 12):
        sell(at(month, 5))
        sell(at(month, 6), course=other_course)
    # when every month is written (twice)
    for month, moment in ((OCTOBER, at(11, 1)), (NOVEMBER, at(12, 1)), (DECEMBER, at(1, 1, year=2027))):
        issue(month, moment)
        issue(month, moment)
    # then each entry is on one statement, of its own instructor, numbered per month
    assert PayoutStatement.objects.count() == 6
    assert PayoutStatementLine.objects.count() == EarningEntry.objects.count() == 6
    assert not PayoutStatementLine.objects.exclude(statement__instructor=F("entry__instructor")).exists()
    assert sorted(PayoutStatement.objects.filter(month=NOVEMBER).values_list("number", flat=True)) == [
        "DCA-PS/2026-11/000001",
        "DCA-PS/2026-11/000002",
    ]


def test_only_closed_months_are_written(issue, sell):
    sell(at(11, 5))
    # the current month and a future one are refused with a clear error
    for month in (NOVEMBER, DECEMBER):
        with pytest.raises(ApplicationError) as refused:
            issue(month, at(11, 30, 23, 59))
        assert refused.value.code == "payout_month_not_closed"
    assert not PayoutStatement.objects.exists()


# --- The command -------------------------------------------------------------------------------------


def test_command_writes_the_month_once_and_refuses_open_months(instructor, other_instructor, sell, capsys):
    sell(at(11, 5))
    with time_machine.travel(at(12, 1, 6), tick=False):
        call_command("payout_statements", "--month", "2026-11")
        call_command("payout_statements", "--month", "2026-11", "--instructor", str(instructor.pk))
        with pytest.raises(CommandError, match="2026-12 has not ended yet"):
            call_command("payout_statements", "--month", "2026-12")
        with pytest.raises(CommandError, match="YYYY-MM"):
            call_command("payout_statements", "--month", "November")
        with pytest.raises(CommandError, match="UUID"):
            call_command("payout_statements", "--month", "2026-11", "--instructor", "nobody")
        call_command("payout_statements", "--month", "2026-11", "--instructor", str(other_instructor.pk))
    assert capsys.readouterr().out.splitlines() == [
        "issued=1 unchanged=0",
        "issued=0 unchanged=1",
        "issued=0 unchanged=0",
    ]
    assert PayoutStatement.objects.get().instructor == instructor


# --- Marking paid ------------------------------------------------------------------------------------


def test_marking_paid_once_with_a_reference_is_audited(instructor, admin_user, sell, issue):
    sell(at(11, 5))
    issue(NOVEMBER, at(12, 1, 6))
    statement = statement_of(instructor, NOVEMBER)
    # a blank reference is refused
    with pytest.raises(ApplicationError) as refused:
        payout_statement_mark_paid(statement=statement, actor=admin_user, reference="  ")
    assert refused.value.errors == {"reference": ["This field is required."]}
    # when marked paid
    with time_machine.travel(at(12, 3), tick=False):
        payout_statement_mark_paid(statement=statement, actor=admin_user, reference="UTR123")
    statement.refresh_from_db()
    assert (statement.status, statement.paid_reference, statement.paid_by) == ("paid", "UTR123", admin_user)
    assert statement.paid_at == at(12, 3)
    log = AuditLog.objects.get(action="payout_statement.mark_paid")
    assert log.actor == admin_user and log.details == {"reference": "UTR123", "payable": SALE[3]}
    # then it cannot be marked paid again
    with pytest.raises(ApplicationError) as refused:
        payout_statement_mark_paid(statement=statement, actor=admin_user, reference="UTR999")
    assert refused.value.code == "payout_statement_already_paid"
    statement.refresh_from_db()
    assert statement.paid_reference == "UTR123"


def test_a_statement_with_nothing_payable_cannot_be_marked_paid(instructor, admin_user, sell, issue):
    sold = sell(at(10, 5))
    issue(OCTOBER, at(11, 1))
    refund(sold, at(11, 5))
    issue(NOVEMBER, at(12, 1))
    with pytest.raises(ApplicationError) as refused:
        payout_statement_mark_paid(statement=statement_of(instructor, NOVEMBER), actor=admin_user, reference="X")
    assert refused.value.code == "payout_statement_nothing_payable"


def test_admin_marks_paid_with_the_reference_of_the_action_form(client, admin_user, instructor, sell, issue):
    sell(at(11, 5))
    issue(NOVEMBER, at(12, 1, 6))
    statement = statement_of(instructor, NOVEMBER)
    client.force_login(admin_user)
    assert client.get("/admin/billing/payoutstatement/?month=2026-11-01&status=issued").status_code == 200
    assert client.get(f"/admin/billing/payoutstatement/{statement.pk}/change/").status_code == 200
    response = client.post(
        "/admin/billing/payoutstatement/",
        {"action": "mark_paid", "reference": "NEFT-42", "_selected_action": [str(statement.pk)]},
        follow=True,
    )
    assert response.status_code == 200
    statement.refresh_from_db()
    assert (statement.status, statement.paid_reference) == ("paid", "NEFT-42")
    # a second try is refused with the service's message, and nothing changes
    response = client.post(
        "/admin/billing/payoutstatement/",
        {"action": "mark_paid", "reference": "OTHER", "_selected_action": [str(statement.pk)]},
        follow=True,
    )
    assert "already marked paid" in response.content.decode()
    statement.refresh_from_db()
    assert statement.paid_reference == "NEFT-42"
    # and amounts are not editable by hand
    assert client.post(f"/admin/billing/payoutstatement/{statement.pk}/change/", {"net": 1}).status_code == 403


def test_the_sweep_renders_statements_a_lost_message_left_without_files(instructor, sell, settings):
    settings.BILLING_RECONCILE_AFTER_MINUTES = 15
    sell(at(11, 5))
    # given a statement whose render message was lost (on-commit callbacks not run)
    with time_machine.travel(at(12, 1, 6), tick=False):
        payout_statements_issue(month=NOVEMBER)
    statement = statement_of(instructor, NOVEMBER)
    assert not statement.file_ready
    # when the sweep runs a while later (tasks run eagerly in tests)
    with time_machine.travel(at(12, 1, 7), tick=False):
        assert payout_statements_render_pending() == 1
    statement.refresh_from_db()
    assert statement.file_ready and statement.rendered_at is not None
