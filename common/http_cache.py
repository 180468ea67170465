"""Cached public reads: versioned response bodies in the shared cache, strong ETags and ``304 Not Modified``.

A public read (the catalogue, a course, its curriculum, the domains, a leaderboard) is mostly the same bytes
for everyone. Its **anonymous representation** is stored, rendered, under a key made of the variant (e.g.
"curriculum without access") and everything else that changes the bytes: scheme, host (pagination links are
absolute), path, query string as sent, and the negotiated media type (``indent``), together with the scope's
version token it was built under. The version and the entries are read in one round trip.

- **Versions.** Each scope has a random version token in the cache. The writers that change what a scope
  shows call ``version_bump`` (a new token at once and again when their transaction commits), so every
  older entry stops being served at once (an entry is served only under the version it records). Every entry
  also expires after its TTL, which bounds the staleness of figures that change without a bump (enrollment
  counts, leaderboard standings) and of any door that writes without a service (a bulk ``UPDATE`` in a shell).
- **Viewers.** An anonymous viewer gets the stored bytes as they are (no query, no serializer, no renderer).
  A signed-in viewer gets the stored representation with their own fields laid over it by the view (e.g.
  ``in_wishlist``: one query), so one viewer's data never reaches another. Staff who may see drafts are
  served uncached by the views.
- **Redis down.** The cache backend ignores errors: a version that cannot be read means "do not cache"
  and the route answers exactly as without caching.

Every 200 of such a route carries a strong ``ETag`` (a hash of its bytes) and answers ``304`` to a matching
``If-None-Match`` (``django.utils.cache.get_conditional_response``). Anonymous requests without credentials
get ``Cache-Control: public`` so a CDN may absorb them; anything personal keeps the ``no-store`` of
``common.middleware.PrivateResponseMiddleware``.

**Before DRF** (``AnonymousReadMiddleware``). A GET or HEAD without an ``Authorization`` header and without any
cookie gets the same bytes whoever sends it, so the response the view gave such a request is kept whole (status,
headers, body, as it left the view) under a *front key* computed from the request alone — scheme, host, path,
query string as sent, ``Accept`` header — together with the scope and version it was built from and when it
stops being current (the view entry's expiry, or a leaderboard period's end). The next such request is answered
from it with one cache round trip (the front entry and every registered scope's version in one ``get_many``):
no URL resolution by the handler, no DRF dispatch, no database. It is served only while its scope's version is
the one it recorded and its deadline has not passed; anything else goes to the view exactly as before.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from rest_framework.request import Request
from rest_framework.response import Response

from common.background import run_on_commit
from common.middleware import request_has_credentials
from common.renderers import FastJSONRenderer

# What a CDN or browser may keep an anonymous public response (seconds); the origin itself is exact.
PUBLIC_MAX_AGE = 15
PUBLIC_STALE_WHILE_REVALIDATE = 30

_VERSION_KEY = "http-cache:version:{scope}"
# The scopes whose versions an anonymous hit reads in its one round trip (AnonymousReadMiddleware), by name.
_FRONT_SCOPES: dict[str, str] = {}


def scope_register(scope: str) -> str:
    """Declare a version scope (at import time, next to its name); returns the name.

    Responses of an unregistered scope are still cached by ``cached_read`` but never answered before DRF.
    """
    _FRONT_SCOPES[scope] = _VERSION_KEY.format(scope=scope)
    return scope


def _new_token() -> str:
    return secrets.token_hex(8)


def version_get(scope: str) -> str | None:
    """The scope's current version token, or None when the cache cannot keep one (then nothing is cached)."""
    key = _VERSION_KEY.format(scope=scope)
    version = cache.get(key)
    if version is None:
        # First use, or evicted: a fresh token, so no entry written under an older one can match.
        cache.add(key, _new_token(), timeout=None)
        version = cache.get(key)
    return version


def version_bump(scope: str) -> None:
    """Make every cached entry of ``scope`` unreachable: now, and again once the current transaction commits
    (a reader between the two could have stored the rows as they were before the commit)."""
    key = _VERSION_KEY.format(scope=scope)
    cache.set(key, _new_token(), timeout=None)
    if transaction.get_connection().in_atomic_block:
        run_on_commit(lambda: cache.set(key, _new_token(), timeout=None))


def _etag(body: bytes) -> str:
    return f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'


def _entry_key(request: Request, *, scope: str, variant: str) -> str:
    parts = (
        request.scheme,
        request.get_host(),
        request.path,
        request.META.get("QUERY_STRING", ""),
        request.accepted_media_type,
        variant,
    )
    digest = hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()
    # "e3": entries are (version, body, content type, expiry); the name changed with the format.
    return f"http-cache:e3:{scope}:{digest}"


def _render(view, request: Request, data: Any) -> tuple[bytes, str]:
    renderer = request.accepted_renderer
    body = renderer.render(data, request.accepted_media_type, view.get_renderer_context())
    content_type = (
        renderer.media_type if renderer.charset is None else f"{renderer.media_type}; charset={renderer.charset}"
    )
    return body, content_type


@dataclass(frozen=True)
class PublicEntry:
    """What a response served from the anonymous representation was built from (``response.public_entry``):
    the scope and version of the entry, and when (a ``time.time()``) it stops being this URL's answer."""

    scope: str
    version: str
    expires_at: float


def _stored_response(entry: tuple[bytes, str, float], public: PublicEntry) -> HttpResponse:
    body, content_type, _ = entry
    response = HttpResponse(body, content_type=content_type)
    response.public_entry = public
    return response


def cached_read(
    view,
    request: Request,
    *,
    scope: str,
    timeout: int,
    build: Callable[[], Response],
    public_data: Callable[[Any], tuple[str, Any] | None],
    variants: Sequence[str],
    pick: Callable[[], str] | None = None,
    overlay: Callable[[Any], Any] | None = None,
    enabled: bool = True,
    current_until: datetime.datetime | None = None,
) -> HttpResponseBase:
    """Answer a public GET from the cache when it can, else by ``build()`` (the uncached answer for this viewer).

    ``variants`` are the representations the route stores (say, a curriculum with and without access);
    ``pick()`` says which one this viewer gets. It is called only when one of them is cached, as it may cost
    a query, so a cold request costs what it did before caching. ``public_data(data)`` turns the viewer's
    uncached data into ``(variant, representation to store)``, or None when it must not be stored (a draft
    its owner is looking at). ``overlay(data)`` turns a stored representation into this viewer's (it may
    change ``data`` in place); None means the stored bytes are this viewer's as they are (an anonymous
    viewer, or a route without personal fields). ``enabled=False`` (staff) skips the cache. ``current_until``
    is when this URL's stored answer stops being current whatever the version says (the end of a leaderboard's
    period): the answer kept before DRF (``AnonymousReadMiddleware``) is not served from then on.
    """
    cacheable = (
        enabled
        and settings.RESPONSE_CACHE
        and isinstance(request.accepted_renderer, FastJSONRenderer)
        and request.method in ("GET", "HEAD")
    )
    if not cacheable:
        return build()
    # One round trip: the scope's version and the variants' entries; an entry is current only if it was built
    # under the version read with it.
    version_key = _VERSION_KEY.format(scope=scope)
    keys = {variant: _entry_key(request, scope=scope, variant=variant) for variant in variants}
    found = cache.get_many([version_key, *keys.values()]) or {}  # None when the cache is unreachable
    version = found.get(version_key) or version_get(scope)
    if version is None:
        return build()
    until = current_until.timestamp() if current_until is not None else float("inf")
    if any(_current(found.get(key), version) for key in keys.values()):
        entry = _current(found.get(keys[pick() if pick is not None else variants[0]]), version)
        if entry is not None:
            if overlay is None:
                return _stored_response(entry, PublicEntry(scope, version, min(entry[2], until)))
            return Response(overlay(orjson.loads(entry[0])))
    response = build()
    stored = public_data(response.data) if response.status_code == 200 else None
    if stored is None:
        return response
    variant, public = stored
    body, content_type = _render(view, request, public)
    entry = (body, content_type, time.time() + timeout)
    cache.set(keys[variant], (version, *entry), timeout)
    # Without an overlay the viewer's data is the stored representation: its bytes are already rendered.
    if overlay is None:
        return _stored_response(entry, PublicEntry(scope, version, min(entry[2], until)))
    return response


def _current(stored: Any, version: str) -> tuple[bytes, str, float] | None:
    """A stored entry's (body, content type, expiry) when it was built under ``version``, else None."""
    if isinstance(stored, tuple) and len(stored) == 4 and stored[0] == version:
        return stored[1:]
    return None


def viewer_is_anonymous(request: Request) -> bool:
    return not request.user.is_authenticated


# For the DRF views of public reads: a strong ETag on every 200 to a GET, 304 on a matching If-None-Match,
# Vary: Accept, and Cache-Control: public for anonymous requests without credentials. (A comment, not a
# docstring: drf-spectacular would take a docstring as the description of every view using it.)
class ConditionalReadMixin:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        if isinstance(response, Response):
            response.render()
        patch_vary_headers(response, ("Accept",))
        if not request_has_credentials(request) and not request.user.is_authenticated:
            patch_cache_control(
                response,
                public=True,
                max_age=PUBLIC_MAX_AGE,
                stale_while_revalidate=PUBLIC_STALE_WHILE_REVALIDATE,
            )
        etag = _etag(response.content)
        response["ETag"] = etag
        return get_conditional_response(request, etag=etag, response=response) or response


def _front_candidate(request: HttpRequest) -> bool:
    """A GET or HEAD of a cached public route that carries nothing personal: no Authorization header and no cookie
    at all (stricter than ``request_has_credentials``: with no cookie, nothing could make the view answer
    differently, without listing which cookies are harmless)."""
    if request.method not in ("GET", "HEAD") or not settings.RESPONSE_CACHE:
        return False
    if "HTTP_AUTHORIZATION" in request.META or request.META.get("HTTP_COOKIE"):
        return False
    if getattr(request, "_force_auth_user", None) is not None or getattr(request, "_force_auth_token", None):
        return False  # signed in by DRF's test client (force_authenticate), which sends no header
    match = getattr(request, "api_route", None)  # common.middleware.TrailingSlashMiddleware
    view_class = getattr(match.func, "cls", None) if match is not None else None  # DRF's as_view() sets it
    return isinstance(view_class, type) and issubclass(view_class, ConditionalReadMixin)


def _front_key(request: HttpRequest) -> str:
    # Everything of the request the anonymous answer depends on; the query string and Accept exactly as sent.
    parts = (
        request.scheme,
        request.get_host(),
        request.path,
        request.META.get("QUERY_STRING", ""),
        request.META.get("HTTP_ACCEPT"),
    )
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"http-cache:front:{digest}"


def _front_answer(request: HttpRequest, entry: Any, found: dict) -> HttpResponse | None:
    try:
        scope, version, expires_at, headers, body = entry
    except (TypeError, ValueError):
        return None
    if time.time() >= expires_at or found.get(_FRONT_SCOPES.get(scope)) != version:
        return None
    response = HttpResponse(body, headers=dict(headers))
    return get_conditional_response(request, etag=response["ETag"], response=response) or response


def _front_keep(request: HttpRequest, response: HttpResponseBase, key: str) -> None:
    public = getattr(response, "public_entry", None)
    if (
        public is None
        or response.status_code != 200
        or response.streaming
        or response.cookies
        or not response.has_header("ETag")
    ):
        return
    remaining = public.expires_at - time.time()
    if remaining <= 0:
        return
    entry = (public.scope, public.version, public.expires_at, tuple(response.items()), response.content)
    cache.set(key, entry, timeout=math.ceil(remaining))


class AnonymousReadMiddleware:
    """Answers a cached public read of a request without credentials or cookies before URL resolution and DRF.

    In ``MIDDLEWARE`` after every middleware whose headers may differ between such requests or answers (CORS
    and the request id: per request; security headers, X-Frame-Options, Content-Length, Vary and Cache-Control
    of personal responses: these also on a 304), so they still run on these answers; and before the browser's
    session, CSRF, auth and messages middleware, which a hit skips: what they add to such an answer (`Vary:
    Cookie` when the view asked about a session) is the same every time and is kept with it.
    A hit is one cache round trip: the front entry and the version of every registered scope, in one
    ``get_many``. A miss, a stale entry, or any other request goes to the view exactly as before; on the way
    back, a response the view served from the anonymous representation (``response.public_entry``) is kept
    under the request's front key, as it reached this middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not _front_candidate(request):
            return self.get_response(request)
        key = _front_key(request)
        found = cache.get_many([key, *_FRONT_SCOPES.values()]) or {}  # None when the cache is unreachable
        entry = found.get(key)
        if entry is not None:
            response = _front_answer(request, entry, found)
            if response is not None:
                return response
        response = self.get_response(request)
        _front_keep(request, response, key)
        return response
