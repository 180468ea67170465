"""DRF authentication: allauth's JWT (``Authorization: Bearer``) and the session cookie.

Both refuse a suspended account with 403 ``account_suspended`` even when its token or session
is still valid.
"""

from allauth.headless.contrib.rest_framework.authentication import JWTTokenAuthentication
from rest_framework import authentication

from common.exceptions import AccountSuspended


class RefuseSuspendedMixin:
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and getattr(result[0], "is_suspended", False):
            raise AccountSuspended()
        return result


class JWTAuthentication(RefuseSuspendedMixin, JWTTokenAuthentication):
    pass


class SessionAuthentication(RefuseSuspendedMixin, authentication.SessionAuthentication):
    pass
