"""Hot-path representation of ``GET /api/certificates/`` from ``.values()`` rows (see ``catalog.representations``).

``CertificateSerializer`` stays the contract (the view documents its response with it);
``certificates/tests/test_representations.py`` renders both ways and compares the bytes.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework.request import Request

from certificates.pdf import verification_url_for_code
from common.serializers import datetime_representation

CERTIFICATE_ROW_FIELDS = (
    "id",
    "course_id",
    "course__title",
    "course__slug",
    "course__instructor__full_name",
    "certificate_number",
    "verification_code",
    "issue_date",
    "file",
    "status",
    "revoked_at",
    "revoke_reason",
)


def certificate_representation(row: dict[str, Any], *, request: Request) -> dict[str, Any]:
    """``CertificateSerializer(certificate, context={"request": request}).data`` for a row of
    ``CERTIFICATE_ROW_FIELDS``."""
    return {
        "id": str(row["id"]),
        "course": {
            "id": str(row["course_id"]),
            "title": row["course__title"],
            "slug": row["course__slug"],
            "instructor_name": row["course__instructor__full_name"],
        },
        "certificate_number": row["certificate_number"],
        "verification_code": row["verification_code"],
        "verification_url": verification_url_for_code(row["verification_code"]),
        "issue_date": row["issue_date"].isoformat(),
        "cert_url": request.build_absolute_uri(reverse("certificates:download", kwargs={"pk": row["id"]})),
        "file_ready": bool(row["file"]),  # Certificate.file_ready: a stored file name
        "status": row["status"],
        "revoked_at": datetime_representation(row["revoked_at"]),
        "revoke_reason": row["revoke_reason"],
    }
