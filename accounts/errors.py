"""Error codes of the accounts app (the ``code`` of ``{"detail", "code"}`` bodies)."""

ACCOUNT_SUSPENDED = "account_suspended"
INVALID_TOKEN = "invalid_token"  # noqa: S105
SELF_SUSPEND = "cannot_suspend_self"
SELF_DEMOTE = "cannot_demote_self"
ALREADY_SUSPENDED = "already_suspended"
NOT_SUSPENDED = "not_suspended"
RATE_LIMITED = "rate_limited"
# A display name breaking a rule of accounts/validators.py (field errors of ``full_name``).
NAME_BLANK = "name_blank"
NAME_TOO_LONG = "name_too_long"
NAME_CONTROL = "name_control_character"
NAME_FORMAT = "name_format_character"
NAME_EDGE_JOINER = "name_edge_joiner"
NAME_UNASSIGNED = "name_unassigned_character"
NAME_LEADING_MARK = "name_leading_combining_mark"
# An admin without an authenticator app while STAFF_MFA_REQUIRED is on: enrol TOTP first.
MFA_REQUIRED = "mfa_required"
ONBOARDING_NOT_FOR_STAFF = "onboarding_not_for_staff"
