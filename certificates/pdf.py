"""The certificate PDF: ``templates/certificates/certificate.html`` rendered by xhtml2pdf.

Fonts ship in ``certificates/fonts`` (Noto, OFL). ReportLab draws each run of text with one font and
has no per-glyph fallback, so text is split into runs by script and each run gets the Noto font that
covers it: Latin (with accents), Devanagari or Tamil. Complex-script shaping (conjuncts, reordering)
is approximate without HarfBuzz; a name in any script never makes rendering fail.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import TYPE_CHECKING

import qrcode
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from xhtml2pdf import pisa

if TYPE_CHECKING:
    from certificates.models import Certificate

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FONT_LATIN = "NotoSans"
FONT_DEVANAGARI = "NotoSansDevanagari"
FONT_TAMIL = "NotoSansTamil"
FONT_FILES = {
    FONT_LATIN: FONTS_DIR / "NotoSans-Regular.ttf",
    FONT_DEVANAGARI: FONTS_DIR / "NotoSansDevanagari-Regular.ttf",
    FONT_TAMIL: FONTS_DIR / "NotoSansTamil-Regular.ttf",
}
# Zero-width (non-)joiners belong to the run around them: they steer the shaping of Indic conjuncts.
_JOINERS = {"\u200c", "\u200d"}


class CertificateRenderError(Exception):
    """xhtml2pdf reported errors while building the PDF."""


def certificate_verification_url(*, certificate: Certificate) -> str:
    return settings.CERTIFICATES_VERIFY_URL.format(code=certificate.verification_code)


def _script_font(char: str) -> str | None:
    code = ord(char)
    if 0x0900 <= code <= 0x097F or 0xA8E0 <= code <= 0xA8FF or 0x1CD0 <= code <= 0x1CFF:
        return FONT_DEVANAGARI
    if 0x0B80 <= code <= 0x0BFF or 0x11FC0 <= code <= 0x11FFF:
        return FONT_TAMIL
    if char.isspace() or char in _JOINERS:
        return None  # neutral: joins the current run
    return FONT_LATIN


def font_runs(text: str) -> SafeString:
    """Escaped HTML of ``text``, each script's run in a span with the font that has its glyphs."""
    runs: list[tuple[str, list[str]]] = []
    for char in text:
        font = _script_font(char)
        if runs and (font is None or font == runs[-1][0]):
            runs[-1][1].append(char)
        else:
            runs.append((font or FONT_LATIN, [char]))
    return mark_safe(  # noqa: S308 - every run is escaped
        "".join(f'<span style="font-family: {font}">{escape("".join(chars))}</span>' for font, chars in runs)
    )


def _qr_data_uri(url: str) -> str:
    image = qrcode.make(url, box_size=8, border=1, error_correction=qrcode.constants.ERROR_CORRECT_M)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _size_for(text: str, *, sizes: tuple[tuple[int, int], ...]) -> int:
    """The largest font size (pt) whose length limit ``text`` fits, so long values stay on one page."""
    for max_length, size in sizes:
        if len(text) <= max_length:
            return size
    return sizes[-1][1]


def _link_callback(uri: str, rel: str) -> str:
    # Only the shipped fonts and data URIs are loaded: the template never reaches the network or disk.
    if uri.startswith("data:"):
        return uri
    path = (FONTS_DIR / Path(uri).name).resolve()
    if path.parent != FONTS_DIR or not path.is_file():
        raise CertificateRenderError(f"Unexpected resource in the certificate template: {uri}")
    return str(path)


def certificate_pdf_render(*, certificate: Certificate) -> bytes:
    """The PDF bytes of ``certificate`` (user, course and instructor already loaded)."""
    holder_name = certificate.user.full_name.strip() or "Learner"
    course_title = certificate.course.title
    instructor = certificate.course.instructor
    instructor_name = instructor.full_name.strip() or "Desired Career Academy"
    verification_url = certificate_verification_url(certificate=certificate)
    html = render_to_string(
        "certificates/certificate.html",
        {
            "academy_name": settings.CERTIFICATES_ACADEMY_NAME,
            "fonts": {name: path.name for name, path in FONT_FILES.items()},
            "holder_name": font_runs(holder_name),
            "holder_name_size": _size_for(holder_name, sizes=((30, 36), (50, 28), (80, 20), (150, 14))),
            "course_title": font_runs(course_title),
            "course_title_size": _size_for(course_title, sizes=((50, 24), (90, 18), (140, 14), (200, 11))),
            "instructor_name": font_runs(instructor_name),
            "issue_date": date_format(certificate.issue_date, "j F Y"),
            "certificate_number": certificate.certificate_number,
            "verification_url": verification_url,
            "qr_data_uri": _qr_data_uri(verification_url),
        },
    )
    output = io.BytesIO()
    status = pisa.CreatePDF(html, dest=output, encoding="utf-8", link_callback=_link_callback)
    if status.err:
        raise CertificateRenderError(f"xhtml2pdf failed with {status.err} error(s)")
    return output.getvalue()
