"""The certificate PDF: one A4 landscape page with the expected text, in any script."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from certificates.models import Certificate
from certificates.pdf import FONT_DEVANAGARI, FONT_LATIN, FONT_TAMIL, certificate_pdf_render, font_runs
from certificates.services import certificate_file_render, certificate_issue

pytestmark = pytest.mark.django_db


def _render(certificate: Certificate) -> PdfReader:
    certificate = Certificate.objects.with_related().get(pk=certificate.pk)
    pdf = certificate_pdf_render(certificate=certificate)
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf))


def test_pdf_is_one_a4_landscape_page_with_every_detail(student, course, settings):
    # Given an issued certificate
    settings.CERTIFICATES_VERIFY_URL = "https://dca.example/certificates/verify/{code}"
    certificate, _ = certificate_issue(user=student, course=course)

    # When it is rendered
    reader = _render(certificate)

    # Then it is a single landscape A4 page carrying the academy, learner, course, instructor, number and link
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    text = reader.pages[0].extract_text()
    for expected in (
        "Desired Career Academy",
        "Asha Student",
        "Python for Data Analysis",
        "Meera Instructor",
        certificate.certificate_number,
        f"https://dca.example/certificates/verify/{certificate.verification_code}",
        certificate.issue_date.strftime("%B %Y"),
    ):
        assert expected in text, expected
    # And the QR code is embedded as an image
    assert len(reader.pages[0].images) == 1


@pytest.mark.parametrize(
    "full_name",
    [
        pytest.param("प्रिया शर्मा", id="devanagari"),
        pytest.param("தமிழ்செல்வி முருகன்", id="tamil"),
        pytest.param("José Ñúñez-Škodová", id="accented-latin"),
        pytest.param("Priya शर्मा & <Sons> 😀", id="mixed-scripts-markup-and-emoji"),
    ],
)
def test_names_in_any_script_render_on_one_page(make_user, course, full_name):
    # Given a learner whose name is not plain ASCII
    learner = make_user("student", full_name=full_name)
    certificate, _ = certificate_issue(user=learner, course=course)

    # When the certificate is rendered
    reader = _render(certificate)

    # Then rendering succeeds on one page and the number is there
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert certificate.certificate_number in text
    if full_name.startswith("José"):
        assert full_name in text


def test_the_longest_name_and_title_still_fit_one_page(make_user, course):
    # Given the longest name and course title the models allow
    learner = make_user("student", full_name="Anantharamakrishnan " * 7 + "Iyer")
    course.title = "Advanced " * 22
    course.save()
    certificate, _ = certificate_issue(user=learner, course=course)

    # When rendered, Then it is still one page
    assert len(_render(certificate).pages) == 1


def test_font_runs_give_each_script_its_font_and_escape_markup():
    html = font_runs("Ana शर्मा <b>")

    assert html == (
        f'<span style="font-family: {FONT_LATIN}">Ana </span>'
        f'<span style="font-family: {FONT_DEVANAGARI}">शर्मा </span>'
        f'<span style="font-family: {FONT_LATIN}">&lt;b&gt;</span>'
    )
    assert FONT_TAMIL in font_runs("தமிழ்")


def test_rerender_replaces_the_file_and_keeps_number_and_code(student, course):
    # Given a rendered certificate
    certificate, _ = certificate_issue(user=student, course=course)
    first = certificate_file_render(certificate=certificate)
    first_name = first.file.name

    # When it is rendered again
    second = certificate_file_render(certificate=certificate)

    # Then a new file replaces the old one (deleted from storage); number and code are unchanged
    assert second.file.name != first_name
    assert not second.file.storage.exists(first_name)
    assert second.file.storage.exists(second.file.name)
    assert (second.certificate_number, second.verification_code) == (
        certificate.certificate_number,
        certificate.verification_code,
    )
