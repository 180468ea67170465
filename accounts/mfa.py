"""Two-factor authentication (allauth.mfa): the limit on guessing second-factor codes.

allauth.mfa checks TOTP and recovery codes itself, but its attempt limit rides on
``ACCOUNT_RATE_LIMITS["login_failed"]``, which this project replaces with its own limits (see
``accounts.middleware``). Code attempts are therefore limited here, per IP and per account, on the shared
cache like every other limit of the project, and answered 429 with ``Retry-After``:

- the headless API: ``POST /_allauth/{browser,app}/v1/auth/2fa/authenticate`` (the pending sign-in) and
  ``.../auth/2fa/reauthenticate`` (a signed-in user confirming who they are), by ``MFACodeGuardMiddleware``;
- the admin site's second-factor page (``moderation.admin_site``), through ``mfa_code_attempt_count``.

Every attempt counts, right or wrong: counting before the code is checked is what stops a burst of
parallel guesses, and a person typing codes never comes near the per-account budget.
"""

from __future__ import annotations

import re

from allauth.account.internal.stagekit import LOGIN_SESSION_KEY
from allauth.account.utils import url_str_to_user_pk
from allauth.headless import app_settings as headless_settings
from allauth.headless.internal.sessionkit import lookup_session
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse

from common.exceptions import RateLimitedError, error_body
from common.ratelimit import enforce_rate_limit

_CODE_ENDPOINT = re.compile(r"^/_allauth/(?P<client>browser|app)/v1/auth/2fa/(?:re)?authenticate/?$")


def mfa_code_attempt_count(request: HttpRequest, *, user_pk: object | None) -> None:
    """Count one second-factor code attempt; ``RateLimitedError`` once the IP or the account is over its rate."""
    rates = settings.ACCOUNTS_RATE_LIMITS.get("mfa_code", {})
    if rates.get("ip"):
        enforce_rate_limit(request, group="accounts.mfa_code.ip", rate=rates["ip"], key="ip")
    if user_pk is not None and rates.get("account"):
        account = f"user:{user_pk}"
        enforce_rate_limit(
            request, group="accounts.mfa_code.account", rate=rates["account"], key=lambda _group, _request: account
        )


def _headless_session(request: HttpRequest, client: str) -> SessionBase | None:
    if client == "browser":
        return request.session
    # The app client carries its session as X-Session-Token (pending sign-in) or inside its access token.
    token = headless_settings.TOKEN_STRATEGY.get_session_token(request)
    return lookup_session(token) if token else None


def _code_owner_pk(session: SessionBase | None) -> object | None:
    """The account whose codes are tried: the signed-in user's, else the pending sign-in's (no database read)."""
    if session is None:
        return None
    pending = session.get(LOGIN_SESSION_KEY)
    try:
        if session.get(SESSION_KEY):
            user_pk = get_user_model()._meta.pk.to_python(session[SESSION_KEY])
        elif isinstance(pending, dict) and pending.get("user_pk"):
            # allauth writes the pending sign-in's pk in its URL form (a UUID's hex), not Django's.
            user_pk = url_str_to_user_pk(pending["user_pk"])
        else:
            return None
    except (ValidationError, ValueError):
        return None
    return user_pk


class MFACodeGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        match = _CODE_ENDPOINT.match(request.path)
        if match and request.method == "POST":
            try:
                mfa_code_attempt_count(request, user_pk=_code_owner_pk(_headless_session(request, match["client"])))
            except RateLimitedError as exc:
                response = JsonResponse(error_body(exc.message, exc.code), status=429)
                response["Retry-After"] = str(exc.retry_after)
                return response
        return self.get_response(request)
