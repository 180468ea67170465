"""Business rules of certificates: issuing (numbering), rendering the PDF, revoking and reinstating.

Issuing runs inside the course-completion transaction (``catalog.signals.course_completed``); the PDF is
rendered afterwards by ``certificates.tasks.certificate_render``, queued on commit.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import audit_record
from certificates.errors import CertificatesErrorCode
from certificates.models import NUMBER_PREFIX, Certificate, CertificateNumberCounter
from certificates.pdf import certificate_pdf_render
from certificates.signals import certificate_issued
from common.background import enqueue_on_commit
from common.exceptions import ConflictError
from common.files import rendered_pdf_store
from common.timeutils import local_today

logger = logging.getLogger(__name__)


def _certificate_number_allocate(*, year: int) -> str:
    """Next number of ``year``. Must run inside the transaction that stores the certificate.

    The counter row stays locked until that transaction ends, so numbers are handed out one at a time,
    and a rolled-back issue rolls its increment back too: no gaps, no duplicates.
    """
    counter, _ = CertificateNumberCounter.objects.select_for_update().get_or_create(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{NUMBER_PREFIX}-{year}-{counter.last_number:06d}"


def certificate_render_queue(*, certificate: Certificate) -> None:
    """Render the PDF in the background once the current transaction has committed."""
    from certificates.tasks import certificate_render  # tasks imports services

    # A broker outage is logged, never turned into an error after the issue has committed;
    # certificate_render_pending picks the certificate up later.
    enqueue_on_commit(certificate_render, str(certificate.pk))


@transaction.atomic
def certificate_issue(*, user, course) -> tuple[Certificate, bool]:
    """The certificate of ``user`` for ``course``, issued now if it does not exist. Returns (certificate, created).

    Exactly one per learner and course, even when called concurrently: the unique constraint decides and
    the loser gets the winner's certificate.
    """
    existing = Certificate.objects.filter(user=user, course=course).first()
    if existing is not None:
        return existing, False
    issue_date = local_today()
    try:
        # A savepoint: on conflict, the counter increment is undone with the failed insert.
        with transaction.atomic():
            number = _certificate_number_allocate(year=issue_date.year)
            certificate = Certificate.objects.create(
                user=user, course=course, issue_date=issue_date, certificate_number=number
            )
    except IntegrityError:
        # A concurrent issue for the same learner and course committed first.
        existing = Certificate.objects.filter(user=user, course=course).first()
        if existing is None:
            raise
        return existing, False
    certificate_render_queue(certificate=certificate)
    certificate_issued.send(sender=Certificate, certificate=certificate)
    logger.info("certificate issued", extra={"certificate": certificate.certificate_number})
    return certificate, True


def certificate_file_render(*, certificate: Certificate) -> Certificate:
    """Render the PDF from the current template and data and store it, replacing any previous file.

    Number and verification code never change, so a re-rendered certificate verifies exactly as before.
    """
    certificate = Certificate.objects.with_related().get(pk=certificate.pk)
    pdf = certificate_pdf_render(certificate=certificate)
    rendered_pdf_store(instance=certificate, filename=f"{certificate.certificate_number}.pdf", pdf=pdf)
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, actor, reason: str) -> Certificate:
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status == Certificate.Status.REVOKED:
        raise ConflictError(
            "This certificate is already revoked.", code=CertificatesErrorCode.CERTIFICATE_ALREADY_REVOKED
        )
    certificate.status = Certificate.Status.REVOKED
    certificate.revoked_at = timezone.now()
    certificate.revoke_reason = reason.strip()[:500]
    certificate.save(update_fields=["status", "revoked_at", "revoke_reason", "updated_at"])
    audit_record(actor=actor, action="certificate.revoke", target=certificate, details={"reason": reason})
    return certificate


@transaction.atomic
def certificate_revoke_for_course(*, user, course, reason: str) -> Certificate | None:
    """Revoke ``user``'s certificate for ``course`` if it is valid (a refund took the course back).

    Idempotent: an absent or already revoked certificate is left as it is. The certificate stays
    revoked when the learner enrolls again (one certificate per learner and course; an admin may
    reinstate it). Recorded in the audit log as a system action.
    """
    certificate = Certificate.objects.select_for_update().filter(user=user, course=course).first()
    if certificate is None or certificate.status == Certificate.Status.REVOKED:
        return None
    certificate.status = Certificate.Status.REVOKED
    certificate.revoked_at = timezone.now()
    certificate.revoke_reason = reason.strip()[:500]
    certificate.save(update_fields=["status", "revoked_at", "revoke_reason", "updated_at"])
    audit_record(actor=None, action="certificate.revoke", target=certificate, details={"reason": reason})
    return certificate


@transaction.atomic
def certificate_reinstate(*, certificate: Certificate, actor, reason: str = "") -> Certificate:
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status != Certificate.Status.REVOKED:
        raise ConflictError("This certificate is not revoked.", code=CertificatesErrorCode.CERTIFICATE_NOT_REVOKED)
    previous_reason = certificate.revoke_reason
    certificate.status = Certificate.Status.VALID
    certificate.revoked_at = None
    certificate.revoke_reason = ""
    certificate.save(update_fields=["status", "revoked_at", "revoke_reason", "updated_at"])
    audit_record(
        actor=actor,
        action="certificate.reinstate",
        target=certificate,
        details={"reason": reason, "previous_revoke_reason": previous_reason},
    )
    return certificate
