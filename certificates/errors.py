"""Error codes of the certificates API (the ``code`` of the JSON error body)."""

from common.errors import ErrorCode


class CertificatesErrorCode(ErrorCode):
    CERTIFICATE_NOT_FOUND = "certificate_not_found", "404: unknown id or code, or not yours"
    CERTIFICATE_NOT_READY = "certificate_not_ready", "409: the PDF is still being rendered; retry shortly"
    CERTIFICATE_REVOKED = "certificate_revoked", "409: the certificate was revoked"
    CERTIFICATE_ALREADY_REVOKED = "certificate_already_revoked", "409: revoking a certificate that is already revoked"
    CERTIFICATE_NOT_REVOKED = "certificate_not_revoked", "409: restoring a certificate that is not revoked"
    CERTIFICATE_STORAGE_UNAVAILABLE = "certificate_storage_unavailable", "503: the PDF storage cannot be reached"
