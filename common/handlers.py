"""The WSGI handler the servers run (``config.wsgi.application``): Django's, resolving each API path once.

``common.middleware.TrailingSlashMiddleware`` resolves every API path (to pick the spelling with or without the
final slash), through a per-process cache of the routes' matches (``route_match``); Django's handler would then
resolve the same path again, walking the URL patterns (~0.1 ms for a route reached after dozens of others). This
handler takes the match from that cache instead, as a copy, so no request can change another's. Any other path
(outside ``/api/`` and ``/_allauth/``, an unknown one, or with a ``request.urlconf`` set by a middleware) is
resolved by Django as usual.
"""

from __future__ import annotations

from django.core.handlers.wsgi import WSGIHandler
from django.urls import ResolverMatch

from common.middleware import route_match


class RouteOnceWSGIHandler(WSGIHandler):
    def resolve_request(self, request):
        if hasattr(request, "urlconf"):
            return super().resolve_request(request)
        spelling, match = route_match(request.path_info)
        if match is None or spelling != request.path_info:
            return super().resolve_request(request)
        request.resolver_match = match = _copy(match)
        return match


def _copy(match: ResolverMatch) -> ResolverMatch:
    """A copy whose dicts and lists are its own (ResolverMatch refuses copy.copy: it may not be pickled)."""
    clone = ResolverMatch.__new__(ResolverMatch)
    clone.__dict__.update(match.__dict__)
    for name in ("kwargs", "captured_kwargs", "extra_kwargs"):
        value = getattr(match, name)
        setattr(clone, name, dict(value) if value is not None else None)
    clone.app_names, clone.namespaces = list(match.app_names), list(match.namespaces)
    return clone
