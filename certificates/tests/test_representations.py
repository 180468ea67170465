"""``GET /api/certificates/``'s flat rows write exactly the bytes of ``CertificateSerializer``."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings
from model_bakery import baker
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from certificates.models import Certificate
from certificates.representations import certificate_representation
from certificates.selectors import certificate_list_for_user, certificate_rows_for_user
from certificates.serializers import CertificateSerializer

pytestmark = pytest.mark.django_db

REVOKED = datetime.datetime(2026, 11, 2, 10, 15, 30, 123456, tzinfo=datetime.UTC)


@pytest.mark.parametrize("time_zone", ["Asia/Kolkata", "UTC"])
def test_certificate_rows_render_as_the_serializer_does(time_zone, student, make_user, make_certificate):
    # Given certificates in every shape the list shows: valid with its PDF, still rendering (no file), and
    # revoked with a reason, of courses whose instructors have names with and without non-ASCII text
    nameless = make_user("instructor", full_name="")
    other = baker.make("catalog.Course", title="Café “Ünïcode”", slug="cafe", instructor=make_user("instructor"))
    make_certificate(student, issue_date=datetime.date(2026, 11, 20))
    make_certificate(student, with_file=False, course=baker.make("catalog.Course", instructor=nameless))
    make_certificate(
        student,
        course=other,
        status=Certificate.Status.REVOKED,
        revoked_at=REVOKED,
        revoke_reason="Issued in error \u2028 twice",
        issue_date=datetime.date(2026, 11, 20),
    )
    request = Request(APIRequestFactory().get("/api/certificates/", HTTP_HOST="testserver"))

    with override_settings(TIME_ZONE=time_zone):
        # When the rows are shaped by the function and the instances by the serializer
        fast = [certificate_representation(row, request=request) for row in certificate_rows_for_user(user=student)]
        slow = CertificateSerializer(certificate_list_for_user(user=student), many=True, context={"request": request})

        # Then the JSON is byte-identical (order included), and every shape was covered
        assert JSONRenderer().render(fast) == JSONRenderer().render(slow.data)
    assert len(fast) == 3
    assert {item["file_ready"] for item in fast} == {True, False}
    assert {item["status"] for item in fast} == {"valid", "revoked"}
