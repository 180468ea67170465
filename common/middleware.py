"""Request id propagation, the client address behind proxies, the 413 guard for oversized bodies, and the
response headers of private and HTML responses (Cache-Control, Vary, Content-Security-Policy), and the
trailing-slash policy of the API."""

import contextlib
import functools
import ipaddress
import re
import uuid

from django.conf import settings
from django.http import JsonResponse
from django.urls import Resolver404, ResolverMatch, get_urlconf, resolve
from django.utils.cache import patch_cache_control, patch_vary_headers

from common.errors import CommonErrorCode
from common.exceptions import error_body
from common.logging import request_id_var

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


class RequestIDMiddleware:
    """Takes ``X-Request-ID`` from the proxy (or makes one), logs with it and echoes it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


def declared_body_too_large(content_length: str | None) -> bool:
    """Whether a request's ``Content-Length`` exceeds ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (the 413 rule).

    Shared by the middleware and gunicorn's ``pre_request`` hook, so both agree on which requests are refused.
    """
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(content_length or 0)
    except ValueError:
        return False
    return limit is not None and length > limit


class BodySizeLimitMiddleware:
    """Answers 413 before reading a body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``.

    The body is never read, so on a kept-alive connection its bytes would be parsed as the client's next
    request: the connection must close after this answer. That is the server's job, not the app's: WSGI
    forbids hop-by-hop headers in a response (wsgiref refuses ``Connection``, gunicorn drops it), so
    ``config/gunicorn.conf.py`` marks the same requests, by ``declared_body_too_large``, for closing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if declared_body_too_large(request.META.get("CONTENT_LENGTH")):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            return JsonResponse(
                error_body(f"The request body is larger than {limit} bytes.", CommonErrorCode.PAYLOAD_TOO_LARGE),
                status=413,
            )
        return self.get_response(request)


# The name of the catch-all patterns that answer JSON 404 for unknown paths (config/urls.py).
NOT_FOUND_ROUTE = "api-not-found"
SLASH_AGNOSTIC_PREFIXES = ("/api/", "/_allauth/")


# Routes are fixed once a URLconf is loaded, and resolving a path again costs up to ~0.2 ms (the leaderboard's
# pattern is reached after dozens of others): the hot paths' answers are kept, per URLconf, in this process.
@functools.lru_cache(maxsize=4096)
def _resolved(path: str, urlconf: str) -> ResolverMatch | None:
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    return None if match.url_name == NOT_FOUND_ROUTE else match


def _route(path: str) -> ResolverMatch | None:
    return _resolved(path, get_urlconf() or settings.ROOT_URLCONF)


def route_match(path: str) -> tuple[str, ResolverMatch | None]:
    """The spelling of ``path`` that names a route (itself, or the same path with or without its final slash)
    and that route, or None when neither spelling is one.

    Under ``SLASH_AGNOSTIC_PREFIXES`` only (elsewhere ``(path, None)``); a path that is a route either way,
    or neither, is left alone.
    """
    if not path.startswith(SLASH_AGNOSTIC_PREFIXES):
        return path, None
    match = _route(path)
    if match is not None:
        return path, match
    other = path[:-1] if path.endswith("/") else f"{path}/"
    match = _route(other)
    return (other, match) if match is not None else (path, None)


def route_path(path: str) -> str:
    """The spelling of ``path`` that names a route: itself, or the same path with or without its final slash."""
    return route_match(path)[0]


class TrailingSlashMiddleware:
    """Every API route answers with and without its trailing slash, for every method.

    The project's routes are written with a slash, allauth's headless ones without. A request for the other
    spelling is served by the same view: its path is rewritten here, before the URL is resolved (and before
    CSRF and the sign-in limits look at it), never redirected, since a POST body cannot follow a redirect.
    HTML pages outside the API keep Django's APPEND_SLASH redirect, so their relative links stay right.

    The route it found is left on the request as ``api_route`` (a ``ResolverMatch``, or None), so the
    middleware after it need not resolve the path again (``common.http_cache.AnonymousReadMiddleware``); the
    handler takes it from the same cache (``common.handlers.RouteOnceWSGIHandler``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path, request.api_route = route_match(request.path_info)
        if path != request.path_info:
            script_name = request.META.get("SCRIPT_NAME", "")
            request.path_info = path
            request.path = f"{script_name.rstrip('/')}{path}"
        return self.get_response(request)


class ClientIPMiddleware:
    """Puts the real client address in ``REMOTE_ADDR`` behind ``TRUSTED_PROXY_COUNT`` proxies.

    Rate limits, allauth and the logs all read ``REMOTE_ADDR``; behind a load balancer that is the proxy's
    address, so one abuser would lock everyone out. Only the last ``TRUSTED_PROXY_COUNT`` hops of
    ``X-Forwarded-For`` were written by our own proxies; anything left of them is the client's to forge.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = settings.TRUSTED_PROXY_COUNT

    def __call__(self, request):
        if self.trusted > 0:
            hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
            if len(hops) >= self.trusted:
                candidate = hops[-self.trusted]
                # A malformed hop keeps the proxy's address rather than trusting garbage.
                with contextlib.suppress(ValueError):
                    request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(candidate))
        return self.get_response(request)


def request_has_credentials(request) -> bool:
    """A bearer token or the session cookie, valid or not: the response may be personal."""
    return "HTTP_AUTHORIZATION" in request.META or settings.SESSION_COOKIE_NAME in request.COOKIES


class PrivateResponseMiddleware:
    """``Cache-Control: no-store`` on every response that may carry personal data.

    That is every ``/api/`` response to a request bearing credentials (a bearer token or the session
    cookie, valid or not), and every response of allauth (``/_allauth/``) and of the admin site. A view
    that chose an explicit ``public`` cache policy keeps it. Every API response also says it varies with
    ``Authorization`` and ``Cookie``, since what a route answers depends on who asks.
    """

    PRIVATE_PREFIXES = ("/_allauth/", "/admin/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        path = request.path_info
        is_api = path.startswith("/api/")
        if is_api or path.startswith("/_allauth/"):
            patch_vary_headers(response, ("Authorization", "Cookie"))
        if (is_api and request_has_credentials(request)) or path.startswith(self.PRIVATE_PREFIXES):
            directives = {d.strip().split("=")[0].lower() for d in response.get("Cache-Control", "").split(",")}
            if "public" not in directives:
                patch_cache_control(response, no_store=True, private=True)
        return response


# Only this origin: the admin site and the API docs (drf-spectacular-sidecar assets) load nothing else.
# Inline styles are allowed (Redoc and Swagger UI inject them at run time; the admin uses style attributes);
# inline scripts are not. Redoc runs its search in a worker created from a blob: URL.
ADMIN_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'self'"
)
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
DOCS_URL_NAMES = frozenset({"swagger-ui", "redoc"})


class ContentSecurityPolicyMiddleware:
    """A Content-Security-Policy on the admin site and the API docs, the HTML pages this backend serves.

    Pages are recognised by their URL names (the admin namespace, ``swagger-ui``, ``redoc``), not paths,
    so moving them keeps the policy. A response that already carries a policy keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is None or "Content-Security-Policy" in response:
            return response
        if "admin" in match.namespaces:
            response["Content-Security-Policy"] = ADMIN_CSP
        elif match.url_name in DOCS_URL_NAMES:
            response["Content-Security-Policy"] = DOCS_CSP
        return response
