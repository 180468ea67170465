"""Reactions of certificates to other apps' domain events (connected in CertificatesConfig.ready)."""

from __future__ import annotations

from certificates.services import certificate_issue, certificate_revoke_for_course


def certificate_issue_on_course_completed(sender, *, user, course, enrollment, **kwargs) -> None:
    # Runs inside the completion transaction: the certificate row commits (or rolls back) with it.
    certificate_issue(user=user, course=course)


def certificate_revoke_on_payment_refunded(sender, *, user, course, reason, **kwargs) -> None:
    # Runs inside the refund's transaction: a refunded course's certificate no longer verifies.
    certificate_revoke_for_course(user=user, course=course, reason=reason)
