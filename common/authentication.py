"""DRF authentication: allauth's JWT (``Authorization: Bearer``) and the session cookie.

Both refuse a suspended account with 403 ``account_suspended`` even when its token or session
is still valid, and an admin who has not enrolled an authenticator app while ``STAFF_MFA_REQUIRED`` is
on with 403 ``mfa_required`` on every route (admin powers are not confined to ``/api/admin/``: course,
forum and certificate routes grant them too). An expired, tampered or revoked (logged-out) token is
401 ``invalid_token``.

An access token's signature and claims are verified by PyJWT once; until it expires, the same token (byte for
byte) is taken from ``VerifiedAccessTokens`` instead of being decoded again (PyJWT checks every character of it
in Python: ~0.05 ms a request). Everything that can end a token before it expires is read on every request, as
allauth reads it: the token's session (sign-out, a session ended by password change or by an admin), the user
(deactivation, suspension, the password hash the session was bound to) and the staff two-factor rule.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from allauth.core import context
from allauth.headless import app_settings as headless_settings
from allauth.headless.contrib.rest_framework.authentication import JWTTokenAuthentication
from allauth.headless.tokens.strategies.jwt import internal as jwt_internal
from allauth.usersessions.internal import usersessionkit
from rest_framework import authentication
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied

from common.errors import CommonErrorCode
from common.exceptions import AccountSuspended, MFARequired

INVALID_TOKEN_MESSAGE = "The access token is invalid or has expired."  # noqa: S105 - a message


class RefuseBlockedAccountsMixin:
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and getattr(result[0], "is_suspended", False):
            raise AccountSuspended()
        if result is not None and getattr(result[0], "mfa_enrolment_required", False):
            raise MFARequired()
        return result


class VerifiedAccessTokens:
    """Payloads of access tokens PyJWT has verified (allauth's ``decode_token``), kept until they expire.

    Keyed by the whole token, signature included, and by allauth's JWT configuration (the verifying key): a
    token verified once verifies again until ``exp`` (PyJWT's rule: valid while ``int(exp)`` is ahead of now), so only
    that is checked on a hit. Tokens that fail are never kept (one not yet valid may become valid). Bounded: past
    ``max_tokens`` the oldest entry goes.
    """

    def __init__(self, max_tokens: int = 4096) -> None:
        self.max_tokens = max_tokens
        self._entries: dict[str, tuple[Any, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def payload(self, token: str) -> dict[str, Any] | None:
        """``decode_token(token, "access")``: the claims of a valid access token, else ``None``."""
        config = jwt_internal._get_jwt_config()
        entry = self._entries.get(token)
        if entry is not None and entry[0] is config:
            payload = entry[1]
            if int(payload["exp"]) > time.time():  # PyJWT: expired once int(exp) <= now
                return dict(payload)  # a copy: the request may keep or change it (request.auth)
            return None
        payload = jwt_internal.decode_token(token, "access")
        if payload is not None and isinstance(payload.get("exp"), int | float):
            with self._lock:
                self._entries[token] = (config, dict(payload))
                while len(self._entries) > self.max_tokens:
                    del self._entries[next(iter(self._entries))]
        return payload

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


verified_access_tokens = VerifiedAccessTokens()


def access_token_validate(token: str) -> jwt_internal.AccessTokenValidationResult | None:
    """allauth's ``validate_access_token`` with stateful validation, the signature check kept while valid."""
    payload = verified_access_tokens.payload(token)
    if payload is None:
        return None
    session = jwt_internal.get_token_session(payload)
    if session is None:
        return None
    user = jwt_internal.validate_token_user(payload, session)
    if user is None:
        return None
    return jwt_internal.AccessTokenValidationResult(user=user, payload=payload, session=session)


class JWTAuthentication(RefuseBlockedAccountsMixin, JWTTokenAuthentication):
    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except AuthenticationFailed as exc:
            # Malformed headers, bad signatures, expired or revoked tokens: one code for the client to act on.
            raise AuthenticationFailed(INVALID_TOKEN_MESSAGE, code=CommonErrorCode.INVALID_TOKEN) from exc

    def authenticate_credentials(self, key: str):
        if not headless_settings.JWT_STATEFUL_VALIDATION_ENABLED:
            user, payload = super().authenticate_credentials(key)
        else:
            result = access_token_validate(key)
            if result is None:
                raise AuthenticationFailed(INVALID_TOKEN_MESSAGE, code=CommonErrorCode.INVALID_TOKEN)
            # As allauth's JWTTokenAuthentication does (a no-op unless USERSESSIONS_TRACK_ACTIVITY is on).
            usersessionkit.track_activity(context.request, user=result.user, session=result.session)
            user, payload = result.user, result.payload
        if user is None or not user.is_active:
            raise AuthenticationFailed(INVALID_TOKEN_MESSAGE, code=CommonErrorCode.INVALID_TOKEN)
        return user, payload


class SessionAuthentication(RefuseBlockedAccountsMixin, authentication.SessionAuthentication):
    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except PermissionDenied as exc:
            # The same code as Django's CSRF failure view (common.views.csrf_failure) on /_allauth/.
            raise PermissionDenied(str(exc.detail), code=CommonErrorCode.CSRF_FAILED) from exc
