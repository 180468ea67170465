"""Error codes of the certificates API (the ``code`` of the JSON error body)."""

CERTIFICATE_NOT_FOUND = "certificate_not_found"
CERTIFICATE_NOT_READY = "certificate_not_ready"
CERTIFICATE_REVOKED = "certificate_revoked"
CERTIFICATE_ALREADY_REVOKED = "certificate_already_revoked"
CERTIFICATE_NOT_REVOKED = "certificate_not_revoked"
CERTIFICATE_STORAGE_UNAVAILABLE = "certificate_storage_unavailable"
