"""Reads of certificates: the holder's list, the download lookup and public verification."""

from __future__ import annotations

import re
from uuid import UUID

from django.db.models import QuerySet

from certificates.errors import CertificatesErrorCode
from certificates.models import Certificate
from certificates.representations import CERTIFICATE_ROW_FIELDS
from common.exceptions import NotFoundError
from common.precompiled import PrecompiledQuery, PrecompiledRows


def certificate_list_for_user(*, user) -> QuerySet[Certificate]:
    return Certificate.objects.filter(user=user).select_related("course", "course__instructor")


_CERTIFICATE_ROWS = PrecompiledQuery(
    lambda user_id: Certificate.objects.filter(user_id=user_id).values(*CERTIFICATE_ROW_FIELDS),
    placeholder=UUID(int=0),
    field=Certificate._meta.get_field("user"),
)


def certificate_rows_for_user(*, user) -> PrecompiledRows:
    """My certificates as flat rows (the model's order), shaped by ``certificate_representation``; the first
    page's SQL is compiled once (``common.precompiled``)."""
    return PrecompiledRows(_CERTIFICATE_ROWS, user.pk)


def certificate_get_for_download(*, user, certificate_id) -> Certificate:
    """The holder's own certificate, or any certificate for an admin; anyone else gets 404 (no existence leak)."""
    queryset = Certificate.objects.with_related()
    if not user.is_admin:
        queryset = queryset.filter(user=user)
    certificate = queryset.filter(pk=certificate_id).first()
    if certificate is None:
        raise NotFoundError("Certificate not found.", code=CertificatesErrorCode.CERTIFICATE_NOT_FOUND)
    return certificate


# Codes are secrets.token_urlsafe(); anything else (e.g. a NUL byte, which PostgreSQL refuses) cannot match.
_CODE_RE = re.compile(r"[A-Za-z0-9_-]{1,32}")


def certificate_get_by_code(*, code: str) -> Certificate:
    certificate = (
        Certificate.objects.with_related().filter(verification_code=code).first() if _CODE_RE.fullmatch(code) else None
    )
    if certificate is None:
        raise NotFoundError(
            "No certificate has this verification code.", code=CertificatesErrorCode.CERTIFICATE_NOT_FOUND
        )
    return certificate


def certificate_get(*, certificate_id) -> Certificate:
    certificate = Certificate.objects.with_related().filter(pk=certificate_id).first()
    if certificate is None:
        raise NotFoundError("Certificate not found.", code=CertificatesErrorCode.CERTIFICATE_NOT_FOUND)
    return certificate
