"""The certificate PDF: one A4 landscape page with the expected text, in any script."""

from __future__ import annotations

import io
import re
import unicodedata

import pytest
from pypdf import PdfReader

from certificates.models import Certificate
from certificates.pdf import BODY_BOTTOM, CONTENT_LEFT, _Body, _Page, certificate_pdf_render, holder_name_lines
from certificates.services import certificate_file_render, certificate_issue

pytestmark = pytest.mark.django_db


def _render(certificate: Certificate) -> PdfReader:
    certificate = Certificate.objects.with_related().get(pk=certificate.pk)
    pdf = certificate_pdf_render(certificate=certificate)
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf))


def _actual_texts(reader: PdfReader) -> list[str]:
    """The logical text of every line drawn through certificates.text (its /ActualText spans)."""
    content = reader.pages[0].get_contents().get_data().decode("latin-1")
    return [bytes.fromhex(hexa).decode("utf-16") for hexa in re.findall(r"/ActualText <([0-9A-F]+)>", content)]


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
        pytest.param("שרה כהן", id="hebrew"),
        pytest.param("محمد علي", id="arabic"),
        pytest.param("José Ñúñez-Škodová", id="accented-latin"),
        pytest.param("Priya शर्मा & <Sons> 😀", id="mixed-scripts-markup-and-emoji"),
    ],
)
def test_names_in_any_script_render_on_one_page_with_their_logical_text(make_user, course, full_name):
    # Given a learner whose name is not plain ASCII
    learner = make_user("student", full_name=full_name)
    certificate, _ = certificate_issue(user=learner, course=course)

    # When the certificate is rendered
    reader = _render(certificate)

    # Then it is one page, and the name's line carries the name in logical order for copy and search
    assert len(reader.pages) == 1
    assert full_name in _actual_texts(reader)
    assert certificate.certificate_number in reader.pages[0].extract_text()


@pytest.mark.parametrize(
    "full_name",
    [pytest.param("שרה כהן", id="hebrew"), pytest.param("محمد علي", id="arabic")],
)
def test_right_to_left_names_are_drawn_not_blank(make_user, course, full_name):
    # Given a Hebrew or Arabic name (the Latin-only font used to draw them as empty boxes)
    learner = make_user("student", full_name=full_name)
    certificate, _ = certificate_issue(user=learner, course=course)

    # When rendered, Then every letter is drawn with a glyph that maps back to it (Arabic as joining forms)
    drawn = unicodedata.normalize("NFKC", _render(certificate).pages[0].extract_text())
    assert set(full_name.replace(" ", "")) <= set(drawn)


def test_a_long_name_stays_inside_the_page(make_user, course):
    # Given the kind of name that used to run off both edges of the page
    learner = make_user("student", full_name=" ".join(["Anantharamakrishnan"] * 5))
    certificate, _ = certificate_issue(user=learner, course=course)

    # When rendered
    reader = _render(certificate)

    # Then every piece of text starts inside the content area, and the name is drawn on two lines
    content = reader.pages[0].get_contents().get_data().decode("latin-1")
    starts = [float(x) for x in re.findall(r"BT 1 0 0 1 ([-\d.]+) [-\d.]+ Tm", content)]
    assert starts and min(starts) >= CONTENT_LEFT - 0.01
    assert len([line for line in holder_name_lines(learner.full_name)]) == 2


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


def test_a_body_too_tall_for_the_page_shrinks_until_it_clears_the_footer():
    # Given a two-line Arabic name (deep Naskh descenders) and a long Arabic course title
    body = _Body(
        academy="Desired Career Academy",
        holder_name="محمد بن عبد الله بن عبد الرحمن بن عبد العزيز بن سعود بن فيصل بن تركي العلي القحطاني",
        course_title="مقدمة في تحليل البيانات والتعلم الآلي والذكاء الاصطناعي للمبتدئين والمحترفين " * 2,
        instructor_name="أحمد",
    )
    unscaled = _Page(None)
    body.draw(unscaled)
    assert unscaled.y < BODY_BOTTOM  # at full size it would run into the footer

    # When the scale is chosen, Then the whole body ends above the footer
    scale = body.scale_to_fit()
    scaled = _Page(None, scale=scale)
    body.draw(scaled)
    assert scale < 1 and scaled.y >= BODY_BOTTOM


def test_the_academy_name_comes_from_the_setting_and_signs_for_a_nameless_instructor(make_user, course, settings):
    # Given a renamed academy and an instructor who never set a name
    settings.CERTIFICATES_ACADEMY_NAME = "Example Academy"
    course.instructor.full_name = ""
    course.instructor.save(update_fields=["full_name"])
    certificate, _ = certificate_issue(user=make_user("student", full_name="Asha Student"), course=course)

    # When rendered
    text = _render(certificate).pages[0].extract_text()

    # Then the academy's configured name is printed (heading and signatory), never the built-in one
    assert text.count("Example Academy") == 2
    assert "Desired Career Academy" not in text
