"""Guards in front of the allauth headless endpoints (``/_allauth/``), which are not DRF views.

- Rate limits on login, sign-up, password reset and token refresh, per IP and per account (the
  email in the body, or the user of the refresh token), counted on the shared cache like every other
  limit of the project (``common.ratelimit``); answered 429 with ``Retry-After``.
- With ``ACCOUNTS_PASSWORD_LOGIN_ENABLED`` off, the password endpoints answer 404.
- allauth's own limits answer 429 without ``Retry-After``; one is added.
- A suspended user with a still-valid browser session is refused (403 ``account_suspended``) outside
  ``/api/`` too, so allauth never reports them as signed in. DRF views do the same in
  ``common.authentication``; the app client's tokens are refused in ``accounts.tokens``.
"""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse

from accounts.adapter import suspended_response
from common.exceptions import RateLimitedError, error_body
from common.ratelimit import enforce_rate_limit

_ALLAUTH = re.compile(r"^/_allauth/(?:browser|app)/v1/(?P<endpoint>[a-z/_-]+?)/?$")
# allauth endpoint -> our limit group
_LIMITED_ENDPOINTS = {
    "auth/login": "login",
    "auth/signup": "signup",
    "auth/password/request": "password_reset",
    "auth/password/reset": "password_reset",
    "tokens/refresh": "token_refresh",
    "auth/provider/token": "provider_token",
}
_PASSWORD_ENDPOINTS = {"auth/login", "auth/signup", "auth/password/request", "auth/password/reset"}
_DEFAULT_RETRY_AFTER = "60"


class _TooDeep(Exception):
    """A JSON body nested too deeply to decode (json.loads raises RecursionError, which allauth lets through)."""


def _json_body(request: HttpRequest) -> dict:
    if request.content_type != "application/json":
        return {}
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    except RecursionError as exc:
        raise _TooDeep from exc
    return data if isinstance(data, dict) else {}


def _account_key(group: str, request: HttpRequest) -> str | None:
    body = _json_body(request)
    if group == "token_refresh":
        from allauth.headless.tokens.strategies.jwt import internal

        payload = internal.decode_token(str(body.get("refresh_token", "")), "refresh")
        return f"user:{payload['sub']}" if payload else None
    email = body.get("email")
    if isinstance(email, str) and email.strip():
        return f"email:{email.strip().lower()}"
    return None


def _enforce(request: HttpRequest, group: str) -> None:
    rates = settings.ACCOUNTS_RATE_LIMITS.get(group, {})
    if rates.get("ip"):
        enforce_rate_limit(request, group=f"accounts.{group}.ip", rate=rates["ip"], key="ip")
    account = _account_key(group, request) if rates.get("account") else None
    if account:
        enforce_rate_limit(
            request, group=f"accounts.{group}.account", rate=rates["account"], key=lambda _group, _request: account
        )


class AuthGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if path.startswith("/api/"):
            return self.get_response(request)  # DRF authentication and common.ratelimit handle the API
        match = _ALLAUTH.match(path)
        if match and not settings.ACCOUNTS_PASSWORD_LOGIN_ENABLED and match["endpoint"] in _PASSWORD_ENDPOINTS:
            # allauth drops these routes under SOCIALACCOUNT_ONLY at start-up; this holds even if urls were loaded.
            return JsonResponse(error_body("Password sign-in is disabled.", "not_found"), status=404)
        if match and request.method in ("POST", "PUT", "PATCH", "DELETE"):
            try:
                _json_body(request)
            except _TooDeep:
                return JsonResponse(error_body("The JSON body is nested too deeply.", "parse_error"), status=400)
        if match and request.method == "POST":
            group = _LIMITED_ENDPOINTS.get(match["endpoint"])
            if group:
                try:
                    _enforce(request, group)
                except RateLimitedError as exc:
                    response = JsonResponse(error_body(exc.message, exc.code), status=429)
                    response["Retry-After"] = str(exc.retry_after)
                    return response
        refused = self._refuse_suspended_session(request, is_allauth=path.startswith("/_allauth/"))
        if refused is not None:
            return refused
        response = self.get_response(request)
        if response.status_code == 429 and not response.has_header("Retry-After"):
            response["Retry-After"] = _DEFAULT_RETRY_AFTER
        return response

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
