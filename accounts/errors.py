"""Error codes of the accounts app (the ``code`` of ``{"detail", "code"}`` bodies)."""

ACCOUNT_SUSPENDED = "account_suspended"
INVALID_TOKEN = "invalid_token"  # noqa: S105
SELF_SUSPEND = "cannot_suspend_self"
SELF_DEMOTE = "cannot_demote_self"
ALREADY_SUSPENDED = "already_suspended"
NOT_SUSPENDED = "not_suspended"
RATE_LIMITED = "rate_limited"
ONBOARDING_NOT_FOR_STAFF = "onboarding_not_for_staff"
