"""The servers' WSGI handler resolves an API path once: the match it uses is Django's own, per request."""

from __future__ import annotations

import io
import sys
import uuid

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from common.handlers import RouteOnceWSGIHandler

COURSE = uuid.UUID("00000000-0000-4000-8000-00000000c0de")  # fixed: parametrize ids must not vary
PATHS = [
    f"/api/courses/{COURSE}/",  # a detail route: kwargs
    f"/api/courses/{COURSE}/curriculum/",
    "/api/leaderboard/",
    "/api/domains/",
    "/_allauth/app/v1/auth/session",  # allauth's, without a final slash
    "/api/no-such-route/",  # the JSON 404 catch-all: Django resolves it
    "/admin/login/",  # outside the API: Django resolves it
]


def _match(handler, path):
    request = RequestFactory().get(path)
    match = handler.resolve_request(request)
    assert request.resolver_match is match
    return match


@pytest.mark.parametrize("path", PATHS)
def test_the_match_is_djangos(path):
    ours, djangos = _match(RouteOnceWSGIHandler(), path), _match(WSGIHandler(), path)
    for attribute in ("func", "args", "kwargs", "url_name", "route", "namespaces", "view_name", "captured_kwargs"):
        assert getattr(ours, attribute) == getattr(djangos, attribute), attribute


def test_a_request_cannot_change_the_next_ones_match():
    handler = RouteOnceWSGIHandler()
    path = f"/api/courses/{COURSE}/"
    first = _match(handler, path)
    first.kwargs["pk"] = "changed"
    first.kwargs["extra"] = 1
    assert _match(handler, path).kwargs == {"pk": str(COURSE)}


@pytest.mark.django_db
def test_it_serves_requests():
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/api/domains",  # the other spelling: the middleware rewrites it, the handler follows
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    status = []
    # As Django's test client does: the request must not close the test's connection (its transaction)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = b"".join(RouteOnceWSGIHandler()(environ, lambda s, headers, exc_info=None: status.append(s)))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert status == ["200 OK"]
    assert body.startswith(b'{"count":')
