"""Cached public reads: versioned response bodies in the shared cache, strong ETags and ``304 Not Modified``.

A public read (the catalogue, a course, its curriculum, the domains, a leaderboard) is mostly the same bytes
for everyone. Its **anonymous representation** is stored, rendered, under a key made of the scope's version
token, the variant (e.g. "curriculum without access"), and everything else that changes the bytes: scheme,
host (pagination links are absolute), path, query string as sent, and the negotiated media type (``indent``).

- **Versions.** Each scope has a random version token in the cache. The writers that change what a scope
  shows call ``version_bump`` (a new token at once and again when their transaction commits), so every
  older entry becomes unreachable at once. Every entry also expires after its TTL, which bounds the staleness of
  figures that change without a bump (enrollment counts, leaderboard standings) and of any door that writes
  without a service (a bulk ``UPDATE`` in a shell).
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
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
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


def _entry_key(request: Request, *, scope: str, version: str, variant: str) -> str:
    parts = (
        request.scheme,
        request.get_host(),
        request.path,
        request.META.get("QUERY_STRING", ""),
        request.accepted_media_type,
        variant,
    )
    digest = hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()
    return f"http-cache:{scope}:{version}:{digest}"


def _render(view, request: Request, data: Any) -> tuple[bytes, str]:
    renderer = request.accepted_renderer
    body = renderer.render(data, request.accepted_media_type, view.get_renderer_context())
    content_type = (
        renderer.media_type if renderer.charset is None else f"{renderer.media_type}; charset={renderer.charset}"
    )
    return body, content_type


def _stored_response(entry: tuple[bytes, str]) -> HttpResponse:
    body, content_type = entry
    return HttpResponse(body, content_type=content_type)


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
) -> HttpResponseBase:
    """Answer a public GET from the cache when it can, else by ``build()`` (the uncached answer for this viewer).

    ``variants`` are the representations the route stores (say, a curriculum with and without access);
    ``pick()`` says which one this viewer gets. It is called only when one of them is cached, as it may cost
    a query, so a cold request costs what it did before caching. ``public_data(data)`` turns the viewer's
    uncached data into ``(variant, representation to store)``, or None when it must not be stored (a draft
    its owner is looking at). ``overlay(data)`` turns a stored representation into this viewer's (it may
    change ``data`` in place); None means the stored bytes are this viewer's as they are (an anonymous
    viewer, or a route without personal fields). ``enabled=False`` (staff) skips the cache.
    """
    cacheable = (
        enabled
        and settings.RESPONSE_CACHE
        and isinstance(request.accepted_renderer, FastJSONRenderer)
        and request.method in ("GET", "HEAD")
    )
    version = version_get(scope) if cacheable else None
    if version is None:
        return build()
    keys = {variant: _entry_key(request, scope=scope, version=version, variant=variant) for variant in variants}
    found = cache.get_many(list(keys.values()))
    if found:
        entry = found.get(keys[pick() if pick is not None else variants[0]])
        if entry is not None:
            if overlay is None:
                return _stored_response(entry)
            return Response(overlay(orjson.loads(entry[0])))
    response = build()
    stored = public_data(response.data) if response.status_code == 200 else None
    if stored is None:
        return response
    variant, public = stored
    entry = _render(view, request, public)
    cache.set(keys[variant], entry, timeout)
    # Without an overlay the viewer's data is the stored representation: its bytes are already rendered.
    return _stored_response(entry) if overlay is None else response


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
