"""python manage.py regenerate_certificates."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from model_bakery import baker

from certificates.models import Certificate
from certificates.services import certificate_file_render, certificate_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_certificates(student, other_student, course):
    first, _ = certificate_issue(user=student, course=course)
    second, _ = certificate_issue(user=other_student, course=course)
    return [certificate_file_render(certificate=c) for c in (first, second)]


def _snapshot():
    return {c.pk: (c.certificate_number, c.verification_code, c.file.name) for c in Certificate.objects.all()}


def test_regenerate_all_rerenders_and_keeps_numbers_and_codes(two_certificates):
    before = _snapshot()

    call_command("regenerate_certificates")

    after = _snapshot()
    assert after.keys() == before.keys()
    for pk, (number, code, file_name) in after.items():
        assert (number, code) == before[pk][:2]
        assert file_name != before[pk][2]  # a fresh file


def test_regenerate_only_one_user(two_certificates, student):
    before = _snapshot()

    call_command("regenerate_certificates", "--user", student.email)

    after = _snapshot()
    changed = {pk for pk in after if after[pk][2] != before[pk][2]}
    assert changed == {c.pk for c in two_certificates if c.user_id == student.pk}


def test_regenerate_only_one_course(two_certificates, instructor, student):
    other_course = baker.make("catalog.Course", instructor=instructor, slug="other")
    extra, _ = certificate_issue(user=student, course=other_course)
    extra = certificate_file_render(certificate=extra)
    before = _snapshot()

    call_command("regenerate_certificates", "--course", str(other_course.pk))

    after = _snapshot()
    assert {pk for pk in after if after[pk][2] != before[pk][2]} == {extra.pk}


def test_regenerate_renders_certificates_still_waiting_for_their_pdf(student, course):
    certificate, _ = certificate_issue(user=student, course=course)
    assert not Certificate.objects.get(pk=certificate.pk).file_ready

    call_command("regenerate_certificates", "--course", course.slug)

    assert Certificate.objects.get(pk=certificate.pk).file_ready


def test_regenerate_with_a_filter_matching_nothing_reports_zero(two_certificates):
    from io import StringIO

    out = StringIO()
    before = _snapshot()

    call_command("regenerate_certificates", "--user", "nobody@example.com", stdout=out)

    assert "0 certificate(s) re-rendered" in out.getvalue()
    assert _snapshot() == before
