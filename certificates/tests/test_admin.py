"""Django admin: the revoke/reinstate actions go through the services and write the audit log."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client

from audit.models import AuditLog
from certificates.models import Certificate

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/certificates/certificate/"


@pytest.fixture
def admin_client_(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def test_changelist_and_change_page_render(admin_client_, student, make_certificate):
    certificate = make_certificate(student)

    assert admin_client_.get(CHANGELIST, {"q": certificate.certificate_number}).status_code == 200
    assert admin_client_.get(f"{CHANGELIST}{certificate.pk}/change/").status_code == 200


def test_revoke_action_asks_for_a_reason_then_revokes_through_the_service(
    admin_client_, admin_user, student, make_certificate
):
    certificate = make_certificate(student)
    selection = {"action": "revoke_selected", ACTION_CHECKBOX_NAME: [str(certificate.pk)]}

    # When the action is chosen, Then a confirmation page asks for the reason and nothing changes yet
    response = admin_client_.post(CHANGELIST, selection)
    assert response.status_code == 200
    assert b"reason" in response.content
    assert Certificate.objects.get(pk=certificate.pk).status == "valid"

    # When the reason is submitted
    response = admin_client_.post(CHANGELIST, {**selection, "apply": "1", "reason": "Fraudulent submission"})

    # Then the certificate is revoked and audited like over the API
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert (certificate.status, certificate.revoke_reason) == ("revoked", "Fraudulent submission")
    entry = AuditLog.objects.get(action="certificate.revoke")
    assert entry.actor == admin_user and entry.target_id == str(certificate.pk)


def test_reinstate_action(admin_client_, student, make_certificate):
    certificate = make_certificate(student)
    admin_client_.post(
        CHANGELIST,
        {"action": "revoke_selected", ACTION_CHECKBOX_NAME: [str(certificate.pk)], "apply": "1", "reason": "Oops"},
    )

    admin_client_.post(CHANGELIST, {"action": "reinstate_selected", ACTION_CHECKBOX_NAME: [str(certificate.pk)]})

    certificate.refresh_from_db()
    assert certificate.status == "valid"
    assert AuditLog.objects.filter(action="certificate.reinstate").count() == 1


def test_rerender_action_stores_a_pdf(admin_client_, student, make_certificate, django_capture_on_commit_callbacks):
    certificate = make_certificate(student, with_file=False)

    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(CHANGELIST, {"action": "rerender_selected", ACTION_CHECKBOX_NAME: [str(certificate.pk)]})

    certificate.refresh_from_db()
    assert certificate.file_ready
    with certificate.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_missing_pdfs_filter_lists_only_certificates_without_a_file(
    admin_client_, student, other_student, make_certificate
):
    # given one certificate rendered and one whose PDF never arrived
    ready = make_certificate(student)
    missing = make_certificate(other_student, with_file=False)
    # when staff filter on the missing PDFs
    html = admin_client_.get(CHANGELIST, {"pdf": "missing"}).content.decode()
    # then only that one is listed, ready for the re-render action
    assert missing.certificate_number in html and ready.certificate_number not in html
    assert "Re-render the PDF of selected certificates" in html


def test_certificates_are_not_edited_by_hand(admin_client_, student, make_certificate):
    certificate = make_certificate(student)
    response = admin_client_.post(f"{CHANGELIST}{certificate.pk}/change/", {"status": "revoked", "revoke_reason": "x"})
    assert response.status_code == 403
    certificate.refresh_from_db()
    assert (certificate.status, certificate.revoke_reason) == ("valid", "")
