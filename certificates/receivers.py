"""Reactions of certificates to other apps' domain events (connected in CertificatesConfig.ready)."""

from __future__ import annotations

from certificates.services import certificate_issue


def certificate_issue_on_course_completed(sender, *, user, course, enrollment, **kwargs) -> None:
    # Runs inside the completion transaction: the certificate row commits (or rolls back) with it.
    certificate_issue(user=user, course=course)
