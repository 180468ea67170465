"""A refund revokes the course's certificate (issue #15.8): idempotent, audited as a system action."""

from __future__ import annotations

import pytest

from audit.models import AuditLog
from billing.signals import payment_refunded
from certificates.services import certificate_revoke_for_course

pytestmark = pytest.mark.django_db


def test_the_refund_signal_revokes_the_certificate_with_the_reason(student, make_certificate, client_for):
    certificate = make_certificate(student)
    # when billing reports the course's payment refunded
    payment_refunded.send(
        sender=None, user=student, course=certificate.course, payment=None, reason="Payment refunded."
    )
    # then the certificate is revoked with the reason, audited, and public verification says revoked
    certificate.refresh_from_db()
    assert (certificate.status, certificate.revoke_reason) == ("revoked", "Payment refunded.")
    assert certificate.revoked_at is not None
    log = AuditLog.objects.get(action="certificate.revoke")
    assert log.actor is None and log.target_id == str(certificate.pk)
    body = client_for(None).get(f"/api/certificates/verify/{certificate.verification_code}/").json()
    assert body["status"] == "revoked"


def test_revoking_again_or_without_a_certificate_changes_nothing(student, other_student, make_certificate):
    certificate = make_certificate(student)
    assert certificate_revoke_for_course(user=student, course=certificate.course, reason="Payment refunded.")
    assert certificate_revoke_for_course(user=student, course=certificate.course, reason="again") is None
    assert certificate_revoke_for_course(user=other_student, course=certificate.course, reason="x") is None
    certificate.refresh_from_db()
    assert certificate.revoke_reason == "Payment refunded."
    assert AuditLog.objects.filter(action="certificate.revoke").count() == 1
