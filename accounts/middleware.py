"""Guards in front of the allauth headless endpoints (``/_allauth/``), which are not DRF views.

- Every body allauth would parse (its REST views read any non-GET body as UTF-8 JSON, whatever the
  Content-Type says) is parsed here first, the same way: a body that is not a UTF-8 JSON object, or is
  nested too deeply to decode, is refused with a 400 in the project's error shape before allauth sees it.
- Rate limits on sign-in, sign-up, password reset, token refresh, the second-factor code and re-entering a
  password while signed in, per IP and per account (the email in the body, the refresh token's user, the
  user of a pending sign-in, the signed-in user), counted on the
  shared cache like every other limit of the project (``common.ratelimit``); answered 429 with
  ``Retry-After``. Sign-in limits per account count failed attempts only (``_Guard.failures_only``).
- The admin site's sign-in form (``admin:login``) has the same limits as the API's sign-in, on the same
  counters (``ACCOUNTS_RATE_LIMITS["login"]``: per IP, and failures per account); refused with an HTML 429
  page and ``Retry-After``, since a person is looking at it.
- With ``ACCOUNTS_PASSWORD_LOGIN_ENABLED`` off, the password endpoints answer 404.
- allauth's own limits answer 429 without ``Retry-After``; one is added.
- A suspended user with a still-valid browser session is refused (403 ``account_suspended``) outside
  ``/api/`` too, so allauth never reports them as signed in. DRF views do the same in
  ``common.authentication``; the app client's tokens are refused in ``accounts.tokens``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from allauth.account.internal.stagekit import LOGIN_SESSION_KEY
from allauth.account.utils import url_str_to_user_pk
from allauth.core.internal.httpkit import get_authorization_credential
from allauth.core.internal.sessionkit import get_session_user
from allauth.headless import app_settings as headless_settings
from allauth.headless.internal.sessionkit import lookup_session
from allauth.headless.tokens.strategies.jwt import internal as jwt_internal
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.template.response import TemplateResponse
from django.urls import Resolver404, ResolverMatch, resolve

from accounts.adapter import suspended_response
from common.exceptions import RateLimitedError, error_body
from common.ratelimit import Attempt, attempt_begin, enforce_rate_limit

_ALLAUTH = re.compile(r"^/_allauth/(?:browser|app)/v1/(?P<endpoint>[a-z0-9/_-]+?)/?$")
_PASSWORD_ENDPOINTS = {"auth/login", "auth/signup", "auth/password/request", "auth/password/reset"}
_DEFAULT_RETRY_AFTER = "60"


class _UnreadableBody(Exception):
    """A body allauth would try to parse but that is not a UTF-8 JSON object (or is nested too deeply)."""


def _allauth_json(request: HttpRequest) -> dict[str, Any]:
    """The body exactly as allauth's ``RESTView._parse_json`` reads it; an empty body is ``{}``."""
    if not request.body:
        return {}
    try:
        data = json.loads(request.body.decode("utf8"))
    except RecursionError as exc:  # allauth lets this one through as a 500
        raise _UnreadableBody("The JSON body is nested too deeply.") from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise _UnreadableBody("The body must be a JSON object encoded in UTF-8.") from exc
    if not isinstance(data, dict):
        raise _UnreadableBody("The body must be a JSON object encoded in UTF-8.")
    return data


def _email_in_body(request: HttpRequest, match: ResolverMatch, body: dict[str, Any]) -> str | None:
    email = body.get("email")
    if isinstance(email, str) and email.strip():
        return f"email:{email.strip().lower()}"
    return None


def _refresh_token_user(request: HttpRequest, match: ResolverMatch, body: dict[str, Any]) -> str | None:
    token = body.get("refresh_token")
    payload = jwt_internal.decode_token(token, "refresh") if isinstance(token, str) else None
    return f"user:{payload['sub']}" if payload else None


def _pending_login_user(request: HttpRequest, match: ResolverMatch, body: dict[str, Any]) -> str | None:
    """The user of the sign-in waiting for its next stage (e.g. the second factor), stashed in the session:
    the cookie session for the browser client, the ``X-Session-Token`` one for the app client."""
    if "app" in match.namespaces:
        token = request.headers.get("X-Session-Token", "")
        session = lookup_session(token) if token else None
    else:
        session = getattr(request, "session", None)
    stash = session.get(LOGIN_SESSION_KEY) if session is not None else None
    user_pk = stash.get("user_pk") if isinstance(stash, dict) else None
    if not isinstance(user_pk, str) or not user_pk:
        return None
    try:
        # allauth stores the pending pk in its URL form (a UUID's hex); the key is the pk as Django prints it.
        return f"user:{url_str_to_user_pk(user_pk)}"
    except (ValidationError, ValueError):
        return None


def _signed_in_user(request: HttpRequest, match: ResolverMatch) -> Any:
    """The user the request is signed in as, for the client the route belongs to (no side effects)."""
    if "app" not in match.namespaces:
        return getattr(request, "user", None)
    session_token = request.headers.get("X-Session-Token", "")
    if session_token:
        session = lookup_session(session_token)
        return get_session_user(session) if session is not None else None
    access_token = get_authorization_credential(request, headless_settings.JWT_AUTHORIZATION_HEADER_SCHEME)
    result = jwt_internal.validate_access_token(access_token) if access_token else None
    return result.user if result is not None else None


def _signed_in_email(request: HttpRequest, match: ResolverMatch, body: dict[str, Any]) -> str | None:
    """Re-entering the password of a signed-in account: the same per-account key (and budget) as signing in."""
    user = _signed_in_user(request, match)
    email = getattr(user, "email", "") if user is not None and user.is_authenticated else ""
    return f"email:{email.strip().lower()}" if email else None


def _signed_in_user_pk(request: HttpRequest, match: ResolverMatch, body: dict[str, Any]) -> str | None:
    """Re-entering a second-factor code: the same per-account key as the pending sign-in's code."""
    user = _signed_in_user(request, match)
    return f"user:{user.pk}" if user is not None and user.is_authenticated else None


@dataclass(frozen=True)
class _Guard:
    """The limits of one allauth view: ``ACCOUNTS_RATE_LIMITS[group]`` per IP and per ``account`` key."""

    group: str
    account: Callable[[HttpRequest, ResolverMatch, dict[str, Any]], str | None] | None = None
    # Count only attempts that fail (400), per account: an owner signing in on several devices is never
    # locked out by their own successes. Every attempt is counted per IP.
    failures_only: bool = False


# allauth view (module.qualname) -> its guard. A view of an app that is not installed never resolves.
_GUARDS: dict[str, _Guard] = {
    "allauth.headless.account.views.LoginView": _Guard("login", _email_in_body, failures_only=True),
    "allauth.headless.account.views.SignupView": _Guard("signup", _email_in_body),
    "allauth.headless.account.views.RequestPasswordResetView": _Guard("password_reset", _email_in_body),
    "allauth.headless.account.views.ResetPasswordView": _Guard("password_reset"),
    "allauth.headless.tokens.views.RefreshTokenView": _Guard("token_refresh", _refresh_token_user),
    "allauth.headless.socialaccount.views.ProviderTokenView": _Guard("provider_token"),
    # The second-factor code of a sign-in (allauth.mfa): per IP and per pending account. Every attempt counts
    # (a right code ends the pending sign-in); the admin site's code pages share these counters (accounts.mfa).
    "allauth.headless.mfa.views.AuthenticateView": _Guard("mfa_code", _pending_login_user),
    # Re-entering a password or code while signed in (before sensitive changes): a stolen session must not
    # become a way to guess the password outside the sign-in limits.
    "allauth.headless.account.views.ReauthenticateView": _Guard("login", _signed_in_email, failures_only=True),
    "allauth.headless.mfa.views.ReauthenticateView": _Guard("mfa_code", _signed_in_user_pk),
}


def _view_class(match: ResolverMatch) -> type | None:
    return getattr(match.func, "view_class", None)


def _guard_for(match: ResolverMatch) -> _Guard | None:
    view_class = _view_class(match)
    # Through the MRO, so a subclass (allauth.mfa's WebAuthn sign-up is a SignupView) keeps the limits.
    for klass in view_class.__mro__ if view_class is not None else ():
        guard = _GUARDS.get(f"{klass.__module__}.{klass.__qualname__}")
        if guard is not None:
            return guard
    return None


def _too_many(exc: RateLimitedError) -> JsonResponse:
    response = JsonResponse(error_body(exc.message, exc.code), status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _attempt_failed(response: HttpResponse) -> bool:
    # allauth answers wrong credentials or a wrong code with 400; 200/401 (next stage)/403/409 are not failures.
    return response.status_code == 400


def _admin_login_failed(response: HttpResponse) -> bool:
    # The admin form shows itself again (200) after a failure; success, or a next step, redirects.
    return response.status_code == 200


def limit_attempt(request: HttpRequest, *, group: str, account: str | None) -> Attempt | None:
    """Count an attempt of ``group`` per IP and, when known, per ``account``; raises ``RateLimitedError``.

    Returns the per-account ``Attempt`` (for ``succeeded()``); shared with the admin site's login form.
    """
    rates = settings.ACCOUNTS_RATE_LIMITS.get(group, {})
    if rates.get("ip"):
        enforce_rate_limit(request, group=f"accounts.{group}.ip", rate=rates["ip"], key="ip")
    if rates.get("account") and account:
        return attempt_begin(group=f"accounts.{group}.account", key=account, rate=rates["account"])
    return None


def _admin_too_many(request: HttpRequest, exc: RateLimitedError) -> HttpResponse:
    context = {**admin.site.each_context(request), "title": "Too many sign-in attempts", "retry_after": exc.retry_after}
    response = TemplateResponse(request, "accounts/admin_login_rate_limited.html", context, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response.render()


def _is_admin_login(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return match.view_name == "admin:login"


class AuthGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if path.startswith("/api/"):
            return self.get_response(request)  # DRF authentication and common.ratelimit handle the API
        endpoint = _ALLAUTH.match(path)
        if endpoint and not settings.ACCOUNTS_PASSWORD_LOGIN_ENABLED and endpoint["endpoint"] in _PASSWORD_ENDPOINTS:
            # allauth drops these routes under SOCIALACCOUNT_ONLY at start-up; this holds even if urls were loaded.
            return JsonResponse(error_body("Password sign-in is disabled.", "not_found"), status=404)
        # A per-account attempt that counts only if it fails: given back when ``failed(response)`` is false.
        attempt: Attempt | None = None
        failed = _attempt_failed
        if path.startswith("/_allauth/"):
            try:
                attempt = self._limit_allauth(request)
            except _UnreadableBody as exc:
                return JsonResponse(error_body(str(exc), "parse_error"), status=400)
            except RateLimitedError as exc:
                return _too_many(exc)
        elif request.method == "POST" and _is_admin_login(request):
            email = request.POST.get("username", "").strip().lower()
            try:
                attempt = limit_attempt(request, group="login", account=f"email:{email}" if email else None)
            except RateLimitedError as exc:
                return _admin_too_many(request, exc)
            failed = _admin_login_failed
        refused = self._refuse_suspended_session(request, is_allauth=path.startswith("/_allauth/"))
        if refused is not None:
            return refused
        response = self.get_response(request)
        if attempt is not None and not failed(response):
            attempt.succeeded()
        if response.status_code == 429 and not response.has_header("Retry-After"):
            response["Retry-After"] = _DEFAULT_RETRY_AFTER
        return response

    def _limit_allauth(self, request: HttpRequest) -> Attempt | None:
        """Parse the body as allauth will and count the request against its view's limits.

        Returns the per-account attempt to give back on success (sign-in views only)."""
        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            return None
        view_class = _view_class(match)
        if view_class is None or request.method == "GET" or not getattr(view_class, "handle_json_input", False):
            return None  # allauth reads no JSON body here
        body = _allauth_json(request)
        guard = _guard_for(match) if request.method == "POST" else None
        if guard is None:
            return None
        account = guard.account(request, match, body) if guard.account else None
        attempt = limit_attempt(request, group=guard.group, account=account)
        return attempt if guard.failures_only else None

    def _refuse_suspended_session(self, request: HttpRequest, *, is_allauth: bool) -> HttpResponse | None:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not getattr(user, "is_suspended", False):
            return None
        if is_allauth:
            if request.method == "DELETE" and request.path.rstrip("/").endswith("/auth/session"):
                return None  # signing out stays possible
            return suspended_response(request)
        return HttpResponseForbidden("This account is suspended.")
