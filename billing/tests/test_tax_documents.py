"""Tax invoices and credit notes: numbering per financial year, GST parts, PDFs, downloads, the receipt mail."""

from __future__ import annotations

import datetime
import io
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from model_bakery import baker
from pypdf import PdfReader

from billing import tasks
from billing.models import TaxDocument
from billing.services import payment_settle_captured, payment_settle_refund
from billing.tests.conftest import make_payment, payment_entity

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]
IST = ZoneInfo("Asia/Kolkata")
NOVEMBER = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=IST)
GSTIN_MH = "27AAPFU0939F1ZV"


@pytest.fixture(autouse=True)
def _seller(settings):
    settings.SELLER_LEGAL_NAME = "Desired Career Academy Pvt Ltd"
    settings.SELLER_ADDRESS = "12 MG Road, Bengaluru 560001"
    settings.SELLER_GSTIN = "29AAGCR4375J1ZU"
    settings.SELLER_STATE = "29"


def _pay(user, course, n: int, capture):
    payment = make_payment(user, course, razorpay_order_id=f"order_{n}", receipt=f"dca_{n}")
    with capture(execute=True):
        payment_settle_captured(payment=payment, razorpay_payment=payment_entity(payment, pay_id=f"pay_{n}"))
    payment.refresh_from_db()
    return payment


def _text(document: TaxDocument) -> str:
    document.refresh_from_db()
    with document.file.open("rb") as handle:
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


def test_a_paid_payment_gets_a_numbered_invoice_with_its_pdf(student, paid_course, django_capture_on_commit_callbacks):
    # given a learner in Maharashtra buying from Karnataka, with a business GSTIN
    baker.make("billing.BillingDetails", user=student, name="Asha Traders", state="27", gstin=GSTIN_MH)
    # when the payment is settled in November 2026
    with time_machine.travel(NOVEMBER, tick=False):
        payment = _pay(student, paid_course, 1, django_capture_on_commit_callbacks)
    # then it has the first invoice of financial year 2026-27, IGST, parts adding up to the amount paid
    invoice = TaxDocument.objects.get(payment=payment)
    assert invoice.number == "DCA/2026-27/000001" and invoice.kind == "invoice"
    assert (invoice.taxable_value, invoice.cgst, invoice.sgst, invoice.igst) == (42288, 0, 0, 7612)
    assert invoice.total == payment.amount == 49900
    assert (invoice.buyer_name, invoice.buyer_state, invoice.buyer_gstin) == ("Asha Traders", "27", GSTIN_MH)
    assert (invoice.seller_gstin, invoice.sac_code) == ("29AAGCR4375J1ZU", "999293")
    # and its PDF says so
    text = _text(invoice)
    for expected in (
        "Tax Invoice",
        "DCA/2026-27/000001",
        "Desired Career Academy Pvt Ltd",
        "29AAGCR4375J1ZU",
        "Asha Traders",
        GSTIN_MH,
        "999293",
        "IGST @ 18%",
        "INR 76.12",
        "INR 499.00",
        "Django Deep Dive",
    ):
        assert expected in text, expected
    # and the receipt mail carries it
    assert len(mail.outbox) == 1
    ((name, content, mimetype),) = mail.outbox[0].attachments
    assert name == "DCA-2026-27-000001.pdf" and mimetype == "application/pdf" and content.startswith(b"%PDF")


def test_same_state_buyer_pays_cgst_and_sgst(student, paid_course, django_capture_on_commit_callbacks):
    with time_machine.travel(NOVEMBER, tick=False):
        payment = _pay(student, paid_course, 1, django_capture_on_commit_callbacks)
    invoice = TaxDocument.objects.get(payment=payment)
    assert (invoice.cgst, invoice.sgst, invoice.igst, invoice.buyer_name) == (3806, 3806, 0, "Asha Student")
    assert "CGST @ 9%" in _text(invoice)


def test_numbers_restart_each_financial_year(
    student, other_student, make_user, paid_course, django_capture_on_commit_callbacks
):
    third = make_user("student")
    with time_machine.travel(datetime.datetime(2027, 3, 31, 23, 59, tzinfo=IST), tick=False):
        march = _pay(student, paid_course, 1, django_capture_on_commit_callbacks)
    with time_machine.travel(datetime.datetime(2027, 4, 1, 0, 1, tzinfo=IST), tick=False):
        april = _pay(other_student, paid_course, 2, django_capture_on_commit_callbacks)
        april2 = _pay(third, paid_course, 3, django_capture_on_commit_callbacks)
    numbers = [TaxDocument.objects.get(payment=p).number for p in (march, april, april2)]
    assert numbers == ["DCA/2026-27/000001", "DCA/2027-28/000001", "DCA/2027-28/000002"]


def test_a_refund_issues_a_credit_note_and_downloads_follow_the_buyer(
    client_for, student, other_student, admin_user, paid_course, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOVEMBER, tick=False):
        payment = _pay(student, paid_course, 1, django_capture_on_commit_callbacks)
        refund = {"id": "rfnd_1", "payment_id": "pay_1", "amount": 49900, "status": "processed"}
        with django_capture_on_commit_callbacks(execute=True):
            payment_settle_refund(payment=payment, refund=refund)
            payment_settle_refund(payment=payment, refund=refund)  # a repeated event issues nothing more
    note = TaxDocument.objects.get(payment=payment, kind="credit_note")
    assert note.number == "DCA-CN/2026-27/000001" and note.invoice.number == "DCA/2026-27/000001"
    assert note.total == 49900
    text = _text(note)
    assert "Credit Note" in text and "DCA-CN/2026-27/000001" in text and "Against invoice DCA/2026-27/000001" in text
    # the buyer and admins download both; another learner gets 404
    for kind in ("invoice", "credit-note"):
        url = f"/api/payments/{payment.pk}/{kind}/"
        response = client_for(student).get(url, HTTP_ACCEPT="application/pdf")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        assert client_for(admin_user).get(url).status_code == 200
        assert client_for(other_student).get(url).status_code == 404
        assert client_for(None).get(url).status_code == 401


def test_download_before_rendering_is_409_and_without_a_document_404(client_for, student, paid_course):
    payment = make_payment(student, paid_course, status="paid", payment_id="pay_x")
    # no invoice (e.g. refunded before we ever saw it paid): 404
    assert client_for(student).get(f"/api/payments/{payment.pk}/invoice/").status_code == 404
    baker.make(
        TaxDocument, kind="invoice", payment=payment, number="DCA/2026-27/000009", taxable_value=42288, cgst=3806,
        sgst=3806, igst=0, total=49900, list_price=49900, gst_rate=18, seller_state="29", buyer_state="29",
    )  # fmt: skip
    response = client_for(student).get(f"/api/payments/{payment.pk}/invoice/", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 409 and response.json()["code"] == "tax_document_not_ready"
    assert client_for(student).get(f"/api/payments/{payment.pk}/credit-note/").status_code == 404


def test_the_upkeep_renders_documents_a_lost_message_left_without_pdf(student, paid_course, settings):
    from datetime import timedelta

    from django.utils import timezone

    from billing.services import tax_invoice_issue
    from billing.tasks import tax_documents_render_pending

    # given an invoice whose render was never queued (no on-commit hook ran), issued a while ago
    payment = make_payment(student, paid_course, status="paid", payment_id="pay_l")
    invoice = tax_invoice_issue(payment=payment)
    assert tax_documents_render_pending() == 0  # too fresh: its own task may still be on the way
    TaxDocument.objects.filter(pk=invoice.pk).update(
        created_at=timezone.now() - timedelta(minutes=settings.BILLING_RECONCILE_AFTER_MINUTES + 1)
    )
    # when the sweep runs, then it is rendered (tasks run in-process in tests)
    assert tax_documents_render_pending() == 1
    assert TaxDocument.objects.get(pk=invoice.pk).file_ready


def test_a_settlement_queues_one_task_which_renders_the_invoice_and_mails_it(
    student, paid_course, django_capture_on_commit_callbacks
):
    payment = make_payment(student, paid_course, razorpay_order_id="order_1", receipt="dca_1")
    # when the capture is settled, the after-COMMIT work is queued
    with mock.patch("common.background.enqueue") as enqueue, django_capture_on_commit_callbacks(execute=True):
        payment_settle_captured(payment=payment, razorpay_payment=payment_entity(payment, pay_id="pay_1"))
    # then one task (the receipt) is published, not a separate render of the invoice
    assert [call.args for call in enqueue.call_args_list] == [(tasks.payment_receipt_send, str(payment.pk))]
    invoice = TaxDocument.objects.get(payment=payment)
    assert not invoice.file_ready
    # and that task renders the invoice's PDF and mails it
    assert tasks.payment_receipt_send(str(payment.pk)) is True
    assert TaxDocument.objects.get(pk=invoice.pk).file_ready
    ((name, content, _),) = mail.outbox[0].attachments
    assert name == f"{invoice.number.replace('/', '-')}.pdf" and content.startswith(b"%PDF")


def test_the_receipt_task_renders_the_invoice_of_a_learner_without_an_email_address(
    student, paid_course, django_capture_on_commit_callbacks
):
    payment = _pay(student, paid_course, 1, django_capture_on_commit_callbacks)
    invoice = TaxDocument.objects.get(payment=payment)
    # given the invoice's PDF is not there yet, the receipt not sent, and no address to mail it to
    TaxDocument.objects.filter(pk=invoice.pk).update(file="")
    type(payment).objects.filter(pk=payment.pk).update(receipt_sent_at=None)
    type(student).objects.filter(pk=student.pk).update(email="")
    mail.outbox.clear()
    # when the receipt task runs, then the PDF is rendered and nothing is mailed
    assert tasks.payment_receipt_send(str(payment.pk)) is True
    assert TaxDocument.objects.get(pk=invoice.pk).file_ready and not mail.outbox
