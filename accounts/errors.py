"""Error codes of the accounts app (the ``code`` of ``{"detail", "code"}`` bodies)."""

from common.errors import ErrorCode


class AccountsErrorCode(ErrorCode):
    SELF_SUSPEND = "cannot_suspend_self", "403: an admin tried to suspend their own account"
    SELF_DEMOTE = "cannot_demote_self", "403: an admin tried to remove their own admin role"
    ALREADY_SUSPENDED = "already_suspended", "409: the account is already suspended"
    NOT_SUSPENDED = "not_suspended", "409: reinstating an account that is not suspended"
    # A display name breaking a rule of accounts/validators.py (field errors of ``full_name``).
    NAME_BLANK = "name_blank", "400 field error on `full_name`: no visible character"
    NAME_TOO_LONG = "name_too_long", "400 field error on `full_name`: longer than allowed"
    NAME_CONTROL = "name_control_character", "400 field error on `full_name`: a control character"
    NAME_FORMAT = "name_format_character", "400 field error on `full_name`: an invisible formatting character"
    NAME_EDGE_JOINER = "name_edge_joiner", "400 field error on `full_name`: a joiner at its start or end"
    NAME_UNASSIGNED = (
        "name_unassigned_character",
        "400 field error on `full_name`: an unassigned or private-use code point",
    )
    NAME_LEADING_MARK = "name_leading_combining_mark", "400 field error on `full_name`: starts with a combining mark"
    ONBOARDING_NOT_FOR_STAFF = "onboarding_not_for_staff", "403: onboarding (picking a domain) is for students"
