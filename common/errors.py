"""Machine-readable error codes of the shared plumbing (the ``code`` of an error body)."""

from enum import StrEnum
from typing import Self


class ErrorCode(StrEnum):
    """An error code of the API: each member is its wire string (a ``str``), and ``note`` says when it is returned.

    Members are written ``NAME = "code", "<status>: <when>"``; docs/error-codes.md is generated from them.
    """

    note: str

    def __new__(cls, value: str, note: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.note = note
        return member


class CommonErrorCode(ErrorCode):
    # Raised by the shared plumbing (common.authentication, common.exceptions) and reused by the apps.
    ACCOUNT_SUSPENDED = "account_suspended", "403: the signed-in account is suspended; show a notice and stop retrying"
    PAYMENT_REQUIRED = "payment_required", "402: a paid course; buy it through /api/payments/order/"
    INVALID_TOKEN = (
        "invalid_token",
        "401: the access token is malformed, expired or revoked; refresh it once, else sign in",
    )
    CSRF_FAILED = "csrf_failed", "403: a session (browser) call without a valid `X-CSRFToken` header"
    MFA_REQUIRED = "mfa_required", "403: an admin without an authenticator app while STAFF_MFA_REQUIRED is on"
    CONFLICT = "conflict", "409: the request conflicts with the current state (when no more precise code applies)"
    PAYLOAD_TOO_LARGE = "payload_too_large", "413: the request body is larger than the server accepts"
    RATE_LIMITED = "rate_limited", "429 with Retry-After: too many requests; wait that many seconds"
    DATABASE_UNAVAILABLE = (
        "database_unavailable",
        "The database cannot be reached or did not answer within its deadline: retry later (503 with Retry-After).",
    )
    SERVICE_UNAVAILABLE = "service_unavailable", "Another dependency (the cache) is down: retry later (503)."
