"""The certificate PDF: one A4 landscape page drawn with ReportLab.

Every value that comes from people (academy, learner, course and instructor names) goes through
``certificates.text``: per-character Noto font fallback (Latin, Devanagari, Tamil, Hebrew, Arabic;
OFL, shipped in ``certificates/fonts``), bidi reordering and HarfBuzz shaping, and a size measured to fit
its box (names and titles wrap to two lines before they get too small). The page used to be an
xhtml2pdf template; xhtml2pdf cannot shape text (no conjuncts, no Arabic joining with these fonts), so
the layout is drawn here instead, with the same look.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

import qrcode
from django.conf import settings
from django.utils.formats import date_format
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from accounts.validators import display_name_sanitize
from certificates.text import FONT_LATIN, Line, fonts_register, line_draw, lines_fit

if TYPE_CHECKING:
    from certificates.models import Certificate

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
MARGIN = 10 * mm
PADDING = 16 * mm
CONTENT_LEFT = MARGIN + PADDING
CONTENT_WIDTH = PAGE_WIDTH - 2 * CONTENT_LEFT
CONTENT_TOP = PAGE_HEIGHT - MARGIN - PADDING
LINE_GAP = 1.2  # line height as a multiple of the font size

NAVY = HexColor("#1e3a8a")
AMBER = HexColor("#b45309")
INK = HexColor("#111827")
BODY = HexColor("#1f2937")
MUTED = HexColor("#4b5563")


@dataclass(frozen=True)
class TextBox:
    """How a value is fitted: the largest size, and the size under which it wraps to two lines."""

    max_size: float
    wrap_below: float
    max_width: float = CONTENT_WIDTH


ACADEMY_BOX = TextBox(max_size=30, wrap_below=20)
NAME_BOX = TextBox(max_size=36, wrap_below=24)
COURSE_BOX = TextBox(max_size=24, wrap_below=16)
INSTRUCTOR_BOX = TextBox(max_size=12, wrap_below=9)

QR_SIZE = 90
FOOTER_BOTTOM = MARGIN + 8 * mm
FOOTER_TOP = FOOTER_BOTTOM + QR_SIZE
BODY_BOTTOM = FOOTER_TOP + 4 * mm
MIN_SCALE = 0.4  # below this the body is illegible anyway; names alone never need it


def certificate_verification_url(*, certificate: Certificate) -> str:
    return verification_url_for_code(certificate.verification_code)


def verification_url_for_code(code: str) -> str:
    return settings.CERTIFICATES_VERIFY_URL.format(code=code)


def _fit(text: str, box: TextBox, *, scale: float = 1.0) -> list[Line]:
    return lines_fit(text, max_width=box.max_width, max_size=box.max_size * scale, wrap_below=box.wrap_below * scale)


def holder_name_lines(name: str, *, scale: float = 1.0) -> list[Line]:
    """The learner's name as drawn: fitted to the page width, on one or two lines."""
    return _fit(name, NAME_BOX, scale=scale)


def _qr_image(url: str) -> ImageReader:
    image = qrcode.make(url, box_size=8, border=1, error_correction=qrcode.constants.ERROR_CORRECT_M)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return ImageReader(buffer)


class _Page:
    """A cursor moving down the page, drawing centred blocks of text (only measuring when ``canvas`` is None).

    ``scale`` shrinks the fitted values (never the fixed labels) when the body would reach the footer.
    """

    def __init__(self, canvas: Canvas | None, *, scale: float = 1.0):
        self.canvas = canvas
        self.scale = scale
        self.y = CONTENT_TOP

    def gap(self, points: float) -> None:
        self.y -= points

    def lines(self, lines: list[Line], *, color) -> None:
        if self.canvas is not None:
            self.canvas.setFillColor(color)
        for line in lines:
            self.y -= line.size
            if self.canvas is not None:
                line_draw(self.canvas, line, center_x=PAGE_WIDTH / 2, baseline_y=self.y)
            self.y -= max(line.size * (LINE_GAP - 1), line.descent)

    def value(self, text: str, box: TextBox, *, color) -> None:
        self.lines(_fit(text, box, scale=self.scale), color=color)

    def label(self, text: str, *, size: float, color, char_space: float = 0) -> None:
        self.y -= size
        if self.canvas is not None:
            self.canvas.setFont(FONT_LATIN, size)
            self.canvas.setFillColor(color)
            self.canvas.drawCentredString(PAGE_WIDTH / 2, self.y, text, charSpace=char_space)
        self.y -= size * (LINE_GAP - 1)


@dataclass(frozen=True)
class _Body:
    academy: str
    holder_name: str
    course_title: str
    instructor_name: str

    def draw(self, page: _Page) -> None:
        page.value(self.academy, ACADEMY_BOX, color=NAVY)
        page.gap(3 * mm)
        page.label("Certificate of Completion", size=16, color=AMBER, char_space=2)
        page.gap(10 * mm)
        page.label("This is to certify that", size=12, color=MUTED)
        page.gap(2 * mm)
        page.value(self.holder_name, NAME_BOX, color=INK)
        page.gap(2 * mm)
        page.label("has successfully completed the course", size=12, color=MUTED)
        page.gap(2 * mm)
        page.value(self.course_title, COURSE_BOX, color=NAVY)
        page.gap(6 * mm)
        page.value(f"Instructor: {self.instructor_name}", INSTRUCTOR_BOX, color=BODY)

    def scale_to_fit(self) -> float:
        """1, or the largest of 0.9, 0.81, ... at which the body ends above the footer."""
        scale = 1.0
        while True:
            page = _Page(None, scale=scale)
            self.draw(page)
            if page.y >= BODY_BOTTOM or scale < MIN_SCALE:
                return scale
            scale *= 0.9


def _frame(canvas: Canvas) -> None:
    # A 3pt double rule, as the CSS "3pt double" border it replaces.
    canvas.setStrokeColor(NAVY)
    canvas.setLineWidth(1)
    canvas.rect(MARGIN, MARGIN, PAGE_WIDTH - 2 * MARGIN, PAGE_HEIGHT - 2 * MARGIN)
    canvas.rect(MARGIN + 2, MARGIN + 2, PAGE_WIDTH - 2 * MARGIN - 4, PAGE_HEIGHT - 2 * MARGIN - 4)


def _footer(canvas: Canvas, *, issue_date: str, number: str, url: str) -> None:
    bottom, qr_size = FOOTER_BOTTOM, QR_SIZE
    canvas.drawImage(
        _qr_image(url), PAGE_WIDTH - CONTENT_LEFT - qr_size, bottom, width=qr_size, height=qr_size, mask="auto"
    )
    column_width = CONTENT_WIDTH * 0.4
    for x, rows in (
        (CONTENT_LEFT, (("Issue date", issue_date, 11), ("Certificate number", number, 11))),
        (CONTENT_LEFT + column_width, (("Verify this certificate at", url, 8),)),
    ):
        y = bottom + qr_size - 8
        for caption, value, size in rows:
            canvas.setFont(FONT_LATIN, 8)
            canvas.setFillColor(MUTED)
            canvas.drawString(x, y, caption)
            y -= size + 4
            [line] = lines_fit(value, max_width=column_width - 6 * mm, max_size=size, wrap_below=0)
            canvas.setFillColor(INK)
            line_draw(canvas, line, center_x=x + line.width / 2, baseline_y=y)
            y -= 8 * mm


def certificate_pdf_render(*, certificate: Certificate) -> bytes:
    """The PDF bytes of ``certificate`` (user, course and instructor already loaded)."""
    fonts_register()
    # Names saved before the name rules existed are drawn by the same rules (never an error).
    holder_name = display_name_sanitize(certificate.user.full_name) or "Learner"
    academy = settings.CERTIFICATES_ACADEMY_NAME
    instructor_name = display_name_sanitize(certificate.course.instructor.full_name) or academy
    verification_url = certificate_verification_url(certificate=certificate)

    output = io.BytesIO()
    canvas = Canvas(output, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1)
    canvas.setTitle(f"Certificate {certificate.certificate_number}")
    canvas.setAuthor(academy)
    canvas.setSubject(f"{holder_name} completed {certificate.course.title}")
    _frame(canvas)

    body = _Body(
        academy=academy,
        holder_name=holder_name,
        course_title=certificate.course.title,
        instructor_name=instructor_name,
    )
    body.draw(_Page(canvas, scale=body.scale_to_fit()))

    _footer(
        canvas,
        issue_date=date_format(certificate.issue_date, "j F Y"),
        number=certificate.certificate_number,
        url=verification_url,
    )
    canvas.showPage()
    canvas.save()
    return output.getvalue()
