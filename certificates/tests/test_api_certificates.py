"""GET /api/certificates/, download, public verify, admin revoke/reinstate."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditLog
from certificates.models import Certificate

pytestmark = pytest.mark.django_db

LIST_URL = "/api/certificates/"


def download_url(certificate) -> str:
    return f"/api/certificates/{certificate.pk}/download/"


def verify_url(code: str) -> str:
    return f"/api/certificates/verify/{code}/"


# --- GET /api/certificates/ ---------------------------------------------------------------------


def test_list_gives_my_certificates_only(client_for, student, other_student, make_certificate):
    # Given one certificate of mine and one of another learner
    mine = make_certificate(student)
    make_certificate(other_student)

    # When I list my certificates
    response = client_for(student).get(LIST_URL)

    # Then only mine is there, with an absolute download URL and the verification link
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item["id"] == str(mine.pk)
    assert item["certificate_number"] == mine.certificate_number
    assert item["verification_code"] == mine.verification_code
    assert item["verification_url"] == f"http://localhost:3000/certificates/verify/{mine.verification_code}"
    assert item["cert_url"] == f"http://testserver{download_url(mine)}"
    assert item["issue_date"] == "2026-11-26"
    assert item["status"] == "valid" and item["revoked_at"] is None
    assert item["file_ready"] is True
    assert item["course"] == {
        "id": str(mine.course.pk),
        "title": "Python for Data Analysis",
        "slug": "python-for-data-analysis",
        "instructor_name": "Meera Instructor",
    }


def test_list_says_when_the_pdf_is_still_being_prepared(client_for, student, make_certificate):
    make_certificate(student, with_file=False)

    item = client_for(student).get(LIST_URL).json()["results"][0]

    assert item["file_ready"] is False


def test_list_refuses_anonymous(client_for):
    response = client_for(None).get(LIST_URL)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(("how_many", "queries"), [(1, 1), (20, 2)])
def test_list_query_count_does_not_grow_with_the_page(
    client_for, student, make_certificate, instructor, how_many, queries, django_assert_max_num_queries
):
    from model_bakery import baker

    # Given certificates in as many courses (each with its own instructor row to join)
    for index in range(how_many):
        course = baker.make("catalog.Course", instructor=instructor, slug=f"course-{index}")
        make_certificate(student, course=course)
    client = client_for(student)

    # Then listing is one SELECT joining course and instructor, and a COUNT only when page 1 is full
    with django_assert_max_num_queries(queries):
        response = client.get(LIST_URL)
    assert response.json()["count"] == how_many


# --- GET /api/certificates/{id}/download/ --------------------------------------------------------


def test_holder_downloads_the_pdf(client_for, student, make_certificate):
    certificate = make_certificate(student)

    response = client_for(student).get(download_url(certificate), HTTP_ACCEPT="application/pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{certificate.certificate_number}.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"


def test_admin_downloads_anyones_pdf(client_for, student, admin_user, make_certificate):
    certificate = make_certificate(student)

    response = client_for(admin_user).get(download_url(certificate))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


@pytest.mark.parametrize("who", ["other_student", "instructor"])
def test_download_of_someone_elses_certificate_is_404(client_for, student, make_certificate, request, who):
    # The course's own instructor is not the holder either.
    certificate = make_certificate(student)

    response = client_for(request.getfixturevalue(who)).get(download_url(certificate))

    assert response.status_code == 404
    assert response.json()["code"] == "certificate_not_found"


def test_download_refuses_anonymous(client_for, student, make_certificate):
    response = client_for(None).get(download_url(make_certificate(student)))

    assert response.status_code == 401


def test_download_before_the_pdf_exists_is_409_not_ready(client_for, student, make_certificate):
    certificate = make_certificate(student, with_file=False)

    # Even a client asking for a PDF gets the JSON error body.
    response = client_for(student).get(download_url(certificate), HTTP_ACCEPT="application/pdf")

    assert response.status_code == 409
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "certificate_not_ready"


def test_holder_cannot_download_a_revoked_certificate_but_admin_can(client_for, student, admin_user, make_certificate):
    certificate = make_certificate(student, status="revoked", revoked_at=timezone.now())

    response = client_for(student).get(download_url(certificate))
    assert response.status_code == 409
    assert response.json()["code"] == "certificate_revoked"

    assert client_for(admin_user).get(download_url(certificate)).status_code == 200


def test_download_of_unknown_id_is_404(client_for, student):
    response = client_for(student).get("/api/certificates/00000000-0000-0000-0000-000000000000/download/")

    assert response.status_code == 404


# --- GET /api/certificates/verify/{code}/ --------------------------------------------------------


def test_verify_a_valid_certificate_anonymously(client_for, student, make_certificate):
    certificate = make_certificate(student)

    response = client_for(None).get(verify_url(certificate.verification_code))

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "certificate_number": certificate.certificate_number,
        "holder_name": "Asha Student",
        "course": {
            "id": str(certificate.course.pk),
            "title": "Python for Data Analysis",
            "slug": "python-for-data-analysis",
            "instructor_name": "Meera Instructor",
        },
        "issue_date": "2026-11-26",
        "status": "valid",
        "revoked_at": None,
        "verification_url": f"http://localhost:3000/certificates/verify/{certificate.verification_code}",
    }
    assert student.email not in response.content.decode()


def test_verify_a_revoked_certificate_says_so_without_the_reason(client_for, student, admin_user, make_certificate):
    certificate = make_certificate(student)
    client_for(admin_user).post(
        reverse("certificates:revoke", kwargs={"pk": certificate.pk}), {"reason": "Private matter"}, format="json"
    )

    body = client_for(None).get(verify_url(certificate.verification_code)).json()

    assert body["status"] == "revoked"
    assert body["revoked_at"] is not None
    assert "Private matter" not in str(body)


@pytest.mark.parametrize("code", ["unknown-code", "x" * 200])
def test_verify_unknown_code_is_404(client_for, code):
    response = client_for(None).get(verify_url(code))

    assert response.status_code == 404
    assert response.json()["code"] == "certificate_not_found"


def test_verify_ignores_the_callers_credentials(api_client, student, make_certificate):
    # A broken token must not stop an employer checking a certificate.
    certificate = make_certificate(student)

    response = api_client.get(verify_url(certificate.verification_code), HTTP_AUTHORIZATION="Bearer not-a-token")

    assert response.status_code == 200


def test_verify_is_rate_limited_per_ip(client_for, settings):
    client = client_for(None)
    statuses = [client.get(verify_url(f"guess-{n}")).status_code for n in range(61)]

    assert statuses[:60] == [404] * 60
    assert statuses[60] == 429


def test_verify_query_count(client_for, student, make_certificate, django_assert_max_num_queries):
    certificate = make_certificate(student)
    client = client_for(None)

    # One SELECT joining user, course and instructor.
    with django_assert_max_num_queries(1):
        assert client.get(verify_url(certificate.verification_code)).status_code == 200


# --- POST /api/admin/certificates/{id}/revoke/ and /reinstate/ ------------------------------------


def revoke_url(certificate) -> str:
    return f"/api/admin/certificates/{certificate.pk}/revoke/"


def reinstate_url(certificate) -> str:
    return f"/api/admin/certificates/{certificate.pk}/reinstate/"


def test_admin_revokes_and_reinstates(client_for, student, admin_user, make_certificate):
    certificate = make_certificate(student)
    client = client_for(admin_user)

    # When an admin revokes with a reason
    response = client.post(revoke_url(certificate), {"reason": "Academic misconduct"}, format="json")

    # Then the certificate is revoked, the response shows it, and the audit log has the entry
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "revoked" and body["revoke_reason"] == "Academic misconduct"
    assert body["user"] == {"id": str(student.pk), "full_name": "Asha Student", "email": student.email}
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED and certificate.revoked_at is not None
    assert AuditLog.objects.filter(action="certificate.revoke", actor=admin_user).count() == 1

    # And revoking again is a conflict
    again = client.post(revoke_url(certificate), {"reason": "again"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "certificate_already_revoked"

    # When reinstated (reason optional)
    response = client.post(reinstate_url(certificate), {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "valid"
    certificate.refresh_from_db()
    assert (certificate.status, certificate.revoked_at) == ("valid", None)
    assert AuditLog.objects.filter(action="certificate.reinstate").count() == 1

    again = client.post(reinstate_url(certificate), {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "certificate_not_revoked"


@pytest.mark.parametrize("payload", [{}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 501}])
def test_revoke_needs_a_reason(client_for, student, admin_user, make_certificate, payload):
    certificate = make_certificate(student)

    response = client_for(admin_user).post(revoke_url(certificate), payload, format="json")

    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
    certificate.refresh_from_db()
    assert certificate.status == "valid"


@pytest.mark.parametrize("who", ["student", "instructor"])
@pytest.mark.parametrize("action", ["revoke", "reinstate"])
def test_revoke_and_reinstate_are_admin_only(client_for, student, make_certificate, request, who, action):
    certificate = make_certificate(student)

    response = client_for(request.getfixturevalue(who)).post(
        f"/api/admin/certificates/{certificate.pk}/{action}/", {"reason": "because"}, format="json"
    )

    assert response.status_code == 403
    assert not AuditLog.objects.exists()


def test_revoke_refuses_anonymous(client_for, student, make_certificate):
    response = client_for(None).post(revoke_url(make_certificate(student)), {"reason": "x"}, format="json")

    assert response.status_code == 401


def test_revoke_unknown_certificate_is_404(client_for, admin_user):
    response = client_for(admin_user).post(
        "/api/admin/certificates/00000000-0000-0000-0000-000000000000/revoke/", {"reason": "x"}, format="json"
    )

    assert response.status_code == 404
    assert response.json()["code"] == "certificate_not_found"


# --- end to end ---------------------------------------------------------------------------------


def test_completing_a_course_over_http_yields_a_downloadable_certificate(
    client_for, student, course, lesson, enroll, django_capture_on_commit_callbacks
):
    # Given a learner enrolled in a one-lesson course
    enroll(student, course)
    client = client_for(student)

    # When they complete the lesson through the API
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/api/lessons/{lesson.pk}/complete/").status_code == 200

    # Then their certificate is listed, ready, and its cert_url serves the PDF
    results = client.get(LIST_URL).json()["results"]
    assert len(results) == 1 and results[0]["file_ready"] is True
    response = client.get(results[0]["cert_url"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
