"""Error codes of the accounts app (the ``code`` of ``{"detail", "code"}`` bodies)."""

ACCOUNT_SUSPENDED = "account_suspended"
INVALID_TOKEN = "invalid_token"  # noqa: S105
SELF_SUSPEND = "cannot_suspend_self"
SELF_DEMOTE = "cannot_demote_self"
ALREADY_SUSPENDED = "already_suspended"
NOT_SUSPENDED = "not_suspended"
RATE_LIMITED = "rate_limited"
# An admin without an authenticator app while STAFF_MFA_REQUIRED is on: enrol TOTP first.
MFA_REQUIRED = "mfa_required"
