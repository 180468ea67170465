"""The PDF of a tax invoice or credit note: an HTML template (``templates/billing/tax_document.html``)
rendered by xhtml2pdf."""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from xhtml2pdf import pisa

from billing.models import TaxDocument
from billing.tax import STATES
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
    output = io.BytesIO()
    result = pisa.CreatePDF(html, dest=output, encoding="utf-8")
    if result.err:
        raise PdfRenderError(f"xhtml2pdf could not render {document.number}")
    return output.getvalue()
