"""Two-factor authentication (allauth.mfa): the limit on guessing second-factor codes.

allauth.mfa checks TOTP and recovery codes itself, but its attempt limit rides on
``ACCOUNT_RATE_LIMITS["login_failed"]``, which this project replaces with its own limits. Code attempts
are limited per IP and per account (``ACCOUNTS_RATE_LIMITS["mfa_code"]``), one budget for:

- the headless API: ``POST /_allauth/{browser,app}/v1/auth/2fa/authenticate`` (the pending sign-in) and
  ``.../auth/2fa/reauthenticate``, guarded by ``accounts.middleware.AuthGuardMiddleware``;
- the admin site's second-factor pages (``staff.admin_mfa``), through ``mfa_code_attempt_count``.

Every attempt counts, right or wrong: counting before the code is checked is what stops a burst of
parallel guesses, and a person typing codes never comes near the per-account budget.
"""

from __future__ import annotations

from django.http import HttpRequest

from accounts.middleware import limit_attempt


def mfa_code_attempt_count(request: HttpRequest, *, user_pk: object | None) -> None:
    """Count one second-factor code attempt; ``RateLimitedError`` once the IP or the account is over its rate."""
    limit_attempt(request, group="mfa_code", account=f"user:{user_pk}" if user_pk is not None else None)
