"""DRF authentication: allauth's JWT (``Authorization: Bearer``) and the session cookie.

Both refuse a suspended account with 403 ``account_suspended`` even when its token or session
is still valid, and an admin who has not enrolled an authenticator app while ``STAFF_MFA_REQUIRED`` is
on with 403 ``mfa_required`` on every route (admin powers are not confined to ``/api/admin/``: course,
forum and certificate routes grant them too). An expired, tampered or revoked (logged-out) token is
401 ``invalid_token``.
"""

from allauth.headless.contrib.rest_framework.authentication import JWTTokenAuthentication
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


class JWTAuthentication(RefuseBlockedAccountsMixin, JWTTokenAuthentication):
    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except AuthenticationFailed as exc:
            # Malformed headers, bad signatures, expired or revoked tokens: one code for the client to act on.
            raise AuthenticationFailed(INVALID_TOKEN_MESSAGE, code=CommonErrorCode.INVALID_TOKEN) from exc

    def authenticate_credentials(self, key: str):
        user, payload = super().authenticate_credentials(key)
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
