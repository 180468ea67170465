"""The files of billing's documents: tax invoices and credit notes (PDF) and payout statements (PDF and CSV).
PDFs are HTML templates (``templates/billing/``) rendered by xhtml2pdf."""

from __future__ import annotations

import io

from django.conf import settings
from django.template.loader import render_to_string
from xhtml2pdf import pisa

from billing.models import EarningEntry, PayoutStatement, TaxDocument
from billing.tax import STATES
from common.csv_export import csv_lines
from common.money import paise_to_rupees
from common.timeutils import local_date


class PdfRenderError(RuntimeError):
    pass


def tax_document_pdf_render(*, document: TaxDocument) -> bytes:
    html = render_to_string(
        "billing/tax_document.html",
        {
            "document": document,
            "issued_on": f"{local_date(document.issued_at):%d %b %Y}",
            "half_rate": document.gst_rate / 2,
            "seller_state_name": STATES.get(document.seller_state, document.seller_state),
            "buyer_state_name": STATES.get(document.buyer_state, document.buyer_state),
        },
    )
    return _pdf(html, name=document.number)


def _pdf(html: str, *, name: str) -> bytes:
    output = io.BytesIO()
    result = pisa.CreatePDF(html, dest=output, encoding="utf-8")
    if result.err:
        raise PdfRenderError(f"xhtml2pdf could not render {name}")
    return output.getvalue()


PAYOUT_CSV_HEADER = ("date", "course", "payment", "receipt", "kind", "gross", "gst", "commission", "net", "coupon")


def payout_statement_csv_render(*, statement: PayoutStatement, lines: list[EarningEntry]) -> bytes:
    """One row per ledger entry (local date, rupees with paise), formula cells neutralised."""
    rows = [
        (
            local_date(entry.created_at),
            entry.course.title,
            entry.payment.payment_id,
            entry.payment.receipt,
            entry.kind,
            *(paise_to_rupees(amount) for amount in (entry.gross, entry.tax, entry.commission, entry.net)),
            entry.coupon_code,
        )
        for entry in lines
    ]
    return "".join(csv_lines([PAYOUT_CSV_HEADER, *rows])).encode()


def payout_statement_pdf_render(*, statement: PayoutStatement, lines: list[EarningEntry]) -> bytes:
    html = render_to_string(
        "billing/payout_statement.html",
        {
            "statement": statement,
            "seller_name": settings.SELLER_LEGAL_NAME,
            "instructor_name": statement.instructor.full_name or statement.instructor.email,
            "period": f"{statement.month:%B %Y}",
            "issued_on": f"{local_date(statement.issued_at):%d %b %Y}",
            "lines": [{"day": f"{local_date(entry.created_at):%d %b %Y}", "entry": entry} for entry in lines],
            "carried": min(0, statement.closing_balance),
        },
    )
    return _pdf(html, name=statement.number)
