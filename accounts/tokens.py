"""The JWT strategy of the allauth ``app`` client: suspended accounts refused, refresh tokens spent once.

- allauth resolves the app client's user from the access token's session (``lookup_session``) and mints new
  tokens in ``refresh_token``; both answer 403 ``account_suspended`` for a suspended user, so an old access or
  refresh token cannot be used on the allauth endpoints either.
- With rotation on (``HEADLESS_JWT_ROTATE_REFRESH_TOKEN``), a refresh token is exchanged at most once: the
  exchange records it in ``SpentRefreshToken`` (an atomic insert), so of concurrent refreshes with one token
  exactly one gets new tokens. A spent token presented again is a replay (OAuth 2.0 Security BCP, refresh
  token rotation): the whole sign-in it belongs to ends, so every token rotated from it stops working, the
  thief's and the owner's alike; the owner signs in again.
- ``lookup_session`` notes which session the request's token named, for the adapter's
  ``reissue_tokens_if_session_cycled`` (fresh tokens after a password change).
"""

from __future__ import annotations

import datetime
import logging
import uuid

from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal.sessionkit import get_session_user
from allauth.headless import app_settings as headless_settings
from allauth.headless.tokens.strategies.jwt import JWTTokenStrategy
from allauth.headless.tokens.strategies.jwt import internal as jwt_internal
from django.db import transaction

from accounts import services
from accounts.adapter import TOKEN_SESSION_KEY_ATTR, suspended_response

logger = logging.getLogger(__name__)


def _refuse_if_suspended(user) -> None:
    if user is not None and getattr(user, "is_suspended", False):
        raise ImmediateHttpResponse(suspended_response())


def _replayed(*, jti: uuid.UUID, session_key: str, sub: str) -> None:
    logger.warning("Spent refresh token %s presented again: ending the session of user %s", jti, sub)
    services.session_end(session_key=session_key)


class AccountTokenStrategy(JWTTokenStrategy):
    def lookup_session(self, session_token: str):
        session = super().lookup_session(session_token)
        if session is not None:
            _refuse_if_suspended(get_session_user(session))
            if context.request is not None:
                setattr(context.request, TOKEN_SESSION_KEY_ATTR, session_token)
        return session

    def refresh_token(self, refresh_token: str) -> tuple[str, str] | None:
        if not headless_settings.JWT_ROTATE_REFRESH_TOKEN:
            validated = jwt_internal.validate_refresh_token(refresh_token)
            if validated is not None:
                _refuse_if_suspended(validated[0])
            return super().refresh_token(refresh_token)

        payload = jwt_internal.decode_token(refresh_token, "refresh")  # signature, expiry and use
        if payload is None:
            return None
        try:
            jti = uuid.UUID(payload["jti"])  # allauth's jti is a UUID (and the token is signed by us)
        except ValueError:
            return None
        session_key = jwt_internal.session_key_from_sid(payload["sid"])
        if not session_key:
            return None
        if services.refresh_token_is_spent(jti=jti):
            _replayed(jti=jti, session_key=session_key, sub=payload["sub"])
            return None
        validated = jwt_internal.validate_refresh_token(refresh_token)  # the session still lists it
        if validated is None:
            return None
        user, session, _payload = validated
        _refuse_if_suspended(user)
        with transaction.atomic():
            spent = services.refresh_token_spend(
                jti=jti,
                user=user,
                session_key=session.session_key,
                expires_at=datetime.datetime.fromtimestamp(payload["exp"], tz=datetime.UTC),
            )
            if not spent:  # a concurrent refresh with this very token won: this one is a replay
                _replayed(jti=jti, session_key=session.session_key, sub=payload["sub"])
                return None
            # allauth's rotation: new access token, this refresh token dropped from the session, a new one added.
            tokens = super().refresh_token(refresh_token)
            if tokens is None:  # the session ended in the meantime
                transaction.set_rollback(True)
            return tokens
