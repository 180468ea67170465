"""The JWT strategy of the allauth ``app`` client, refusing suspended accounts.

allauth resolves the app client's user from the access token's session (``lookup_session``) and
mints new tokens in ``refresh_token``; both answer 403 ``account_suspended`` for a suspended user,
so an old access or refresh token cannot be used on the allauth endpoints either.
"""

from __future__ import annotations

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal.sessionkit import get_session_user
from allauth.headless.tokens.strategies.jwt import JWTTokenStrategy
from allauth.headless.tokens.strategies.jwt import internal as jwt_internal


def _refuse_if_suspended(user) -> None:
    if user is not None and getattr(user, "is_suspended", False):
        from accounts.adapter import suspended_response

        raise ImmediateHttpResponse(suspended_response())


class AccountTokenStrategy(JWTTokenStrategy):
    def lookup_session(self, session_token: str):
        session = super().lookup_session(session_token)
        if session is not None:
            _refuse_if_suspended(get_session_user(session))
        return session

    def refresh_token(self, refresh_token: str) -> tuple[str, str] | None:
        validated = jwt_internal.validate_refresh_token(refresh_token)
        if validated is not None:
            _refuse_if_suspended(validated[0])
        return super().refresh_token(refresh_token)
