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

The session and the user are read together, in one query on the sessions' table (``token_session_and_user``),
instead of allauth's cache read of the session followed by Django's query for the user: the same checks, one
round trip instead of two on every signed-in request. Only a token that passes every check is answered that way;
anything else (no such session, expired, another user, a backend or a password hash that does not match) goes to
allauth's own path, which decides as it always has (and ends a session whose hash is stale, as Django does).
"""

from __future__ import annotations

import functools
import threading
import time
from importlib import import_module
from typing import Any
from uuid import UUID

from allauth.account.internal.userkit import user_id_to_str
from allauth.core import context
from allauth.headless import app_settings as headless_settings
from allauth.headless.contrib.rest_framework.authentication import JWTTokenAuthentication
from allauth.headless.tokens.strategies.jwt import internal as jwt_internal
from allauth.usersessions.internal import usersessionkit
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model, load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS
from django.db.models import QuerySet, Subquery
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from rest_framework import authentication
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied

from common.errors import CommonErrorCode
from common.exceptions import AccountSuspended, MFARequired
from common.precompiled import PrecompiledQuery

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


# Pure functions of a token's claims and of a session's stored data, kept per process (bounded, oldest out first):
# the session key decrypted from the `sid` claim (AES, keyed by SECRET_KEY), and the session's data decoded (an HMAC
# check, then JSON) under the signing keys and serializer in force.
_session_keys: dict[Any, str | None] = {}
_decoded_sessions: dict[Any, dict[str, Any]] = {}
_MEMO_SIZE = 4096
_memo_lock = threading.Lock()


_ABSENT = object()


def _memo(memo: dict, key: Any, function, argument):
    value = memo.get(key, _ABSENT)  # one lookup: another thread may drop the oldest entries meanwhile
    if value is not _ABSENT:
        return value
    value = function(argument)
    with _memo_lock:
        memo[key] = value
        while len(memo) > _MEMO_SIZE:
            del memo[next(iter(memo))]
    return value


# Session engines that keep every session in the sessions' table (cached_db: the table, and a copy in the cache).
_SESSIONS_IN_TABLE = ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db")


def _user_attnames(user_model) -> list[str]:
    """The user's columns in the order ``ModelBackend.get_user`` loads them (``Model.from_db`` takes them so)."""
    return [field.attname for field in user_model._meta.concrete_fields]


def _user_with_session(user_id: UUID, session_key: str) -> QuerySet:
    """The user's row (every column, as ``ModelBackend.get_user`` loads it) and the data and expiry of the session
    ``session_key`` (NULL when there is none): two primary-key lookups, one statement."""
    user_model = get_user_model()
    session = Session.objects.filter(session_key=session_key)
    return (
        user_model._default_manager.filter(pk=user_id)
        .annotate(
            token_session_data=Subquery(session.values("session_data")[:1]),
            token_session_expires=Subquery(session.values("expire_date")[:1]),
        )
        .order_by()
        .values(
            *_user_attnames(user_model),
            "token_session_data",
            "token_session_expires",
        )
    )


@functools.cache
def _user_with_session_query() -> PrecompiledQuery:
    # Built on first use (the models are loaded by then), compiled once per database (common.precompiled).
    return PrecompiledQuery(
        _user_with_session,
        placeholder=UUID(int=0),
        field=get_user_model()._meta.pk,
        also=(("placeholder", Session._meta.get_field("session_key")),),
    )


def token_session_and_user(payload: dict[str, Any]) -> tuple[SessionBase, Any] | None:
    """The session and the user of a verified access token's claims when every stateful check passes, from one
    query; None when any does not (allauth's path then decides).

    The checks are allauth's ``get_token_session`` and ``validate_token_user`` with Django's ``get_user``: the
    session (the ``sid`` claim decrypted) exists and has not expired; it was signed in by a backend of
    ``AUTHENTICATION_BACKENDS`` that loads users as ``ModelBackend`` does, and that backend accepts the user (active);
    its user is the token's ``sub``; its password hash is the user's current one.
    """
    if settings.SESSION_ENGINE not in _SESSIONS_IN_TABLE:
        return None
    sid, sub = payload.get("sid"), payload.get("sub")
    if not isinstance(sid, str) or not isinstance(sub, str):
        return None
    session_key = _memo(_session_keys, (settings.SECRET_KEY, sid), jwt_internal.session_key_from_sid, sid)
    if not session_key:
        return None
    user_model = get_user_model()
    try:
        user_id = user_model._meta.pk.to_python(sub)
    except ValidationError:
        return None
    # On the primary, where sessions are written, even inside replica_reads(): a signed-out token must never pass
    # on a replica's lagging copy of the sessions' table.
    using = DEFAULT_DB_ALIAS
    rows = _user_with_session_query().rows(user_id, session_key, using=using)
    if not rows:
        return None
    *columns, data, expires = rows[0]
    if data is None or expires is None or expires <= timezone.now():
        return None
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    signing_keys = (settings.SECRET_KEY, tuple(settings.SECRET_KEY_FALLBACKS), settings.SESSION_SERIALIZER)
    decoded = dict(_memo(_decoded_sessions, (signing_keys, data), session.decode, data))
    backend_path = decoded.get(BACKEND_SESSION_KEY)
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    backend = load_backend(backend_path)
    if getattr(type(backend), "get_user", None) is not ModelBackend.get_user:
        return None
    user = user_model.from_db(using, _user_attnames(user_model), columns)
    try:
        if user_model._meta.pk.to_python(decoded.get(SESSION_KEY)) != user.pk:
            return None
    except ValidationError:
        return None
    if user_id_to_str(user) != sub or not backend.user_can_authenticate(user):
        return None
    session_hash = decoded.get(HASH_SESSION_KEY)
    if not session_hash or not constant_time_compare(session_hash, user.get_session_auth_hash()):
        return None
    session._session_cache = decoded  # loaded, as SessionBase.load() leaves it
    return session, user


def access_token_validate(token: str) -> jwt_internal.AccessTokenValidationResult | None:
    """allauth's ``validate_access_token`` with stateful validation, the signature check kept while valid, and the
    session and the user read in one query when the token passes (``token_session_and_user``)."""
    payload = verified_access_tokens.payload(token)
    if payload is None:
        return None
    found = token_session_and_user(payload)
    if found is not None:
        session, user = found
        return jwt_internal.AccessTokenValidationResult(user=user, payload=payload, session=session)
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
