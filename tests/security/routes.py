"""Every route of the URL configuration, as (name, method, route), read from the resolver itself."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Routes outside the project API, with the reason they are not in the matrix.
SKIPPED_PREFIXES = {
    "_allauth/": "allauth headless: its own tests (accounts/tests) and allauth's suite cover it",
    "accounts/": "allauth's Google callback pages (HTML redirects, no API)",
    "admin/": "Django admin: staff-only by Django's own login_required/is_staff checks",
    "media/": "development-only static serving (DEBUG)",
    "static/": "static files (whitenoise)",
    "auth/": "a redirect to FRONTEND_URL (accounts.frontend_urls)",
}
# The catch-all that answers JSON 404 for any unknown /api/ path: no route of its own.
CATCH_ALL = "api/^.*$"


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    route: str


def _walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str | None, object]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield prefix + str(pattern.pattern), name, pattern.callback


def _methods(callback) -> list[str]:
    actions = getattr(callback, "actions", None)
    if actions:  # a DRF viewset route: the router mapped these methods
        return sorted(method.upper() for method in actions)
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is None:
        return ["GET"]
    return sorted(
        method.upper()
        for method in view_class.http_method_names
        if method not in ("options", "head") and hasattr(view_class, method)
    )


def skip_reason(route: str) -> str | None:
    if route == CATCH_ALL:
        return "catch-all JSON 404"
    for prefix, reason in SKIPPED_PREFIXES.items():
        if route.lstrip("^").startswith(prefix):
            return reason
    return None


def api_routes() -> list[Route]:
    """Every (route, method) of the project API; a route without a name is an error (the matrix keys on names)."""
    found = []
    for route, name, callback in _walk(get_resolver().url_patterns):
        if skip_reason(route):
            continue
        if not route.startswith("api/"):
            raise AssertionError(f"route {route!r} is neither under /api/ nor skipped with a reason in routes.py")
        if name is None:
            raise AssertionError(f"route {route!r} has no name; name it so the authorization matrix can list it")
        found.extend(Route(name=name, method=method, route=route) for method in _methods(callback))
    return found
