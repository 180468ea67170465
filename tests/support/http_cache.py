"""Checks shared by the suites of the cached public reads (common.http_cache): what a request answered before
DRF (AnonymousReadMiddleware) looks like next to the view's own answer."""

from __future__ import annotations

from django.test import Client

ORIGIN = "https://app.example.com"
# An allowed Origin (CORS headers) and a fixed request id, so two answers compare header for header.
SAME_REQUEST = {"HTTP_ORIGIN": ORIGIN, "HTTP_X_REQUEST_ID": "same-request"}


def seen(response) -> tuple:
    """Everything a client sees: status, every header in order, cookies, body."""
    return response.status_code, list(response.items()), response.cookies.output(), response.content


def assert_answered_before_drf(path: str, *, settings, cache_calls, django_assert_num_queries, **headers) -> None:
    """Given the view's answers to an anonymous GET of ``path`` (caching off), when the same requests come to a
    warm cache, then each is answered before DRF — no query, one cache round trip — and is the view's answer
    byte for byte, headers included: the 200, the 304 to a matching If-None-Match, and HEAD."""
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN]
    requests = {
        "GET": lambda etag: Client().get(path, **SAME_REQUEST, **headers),
        "304": lambda etag: Client().get(path, HTTP_IF_NONE_MATCH=etag, **SAME_REQUEST, **headers),
        "HEAD": lambda etag: Client().head(path, **SAME_REQUEST, **headers),
    }
    settings.RESPONSE_CACHE = False
    etag = Client().get(path, **headers)["ETag"]
    from_view = {name: send(etag) for name, send in requests.items()}
    settings.RESPONSE_CACHE = True
    assert seen(Client().get(path, **SAME_REQUEST, **headers)) == seen(from_view["GET"])  # cold: the view, kept
    for name, send in requests.items():
        cache_calls.clear()
        with django_assert_num_queries(0):
            hit = send(etag)
        assert [operation for operation, _ in cache_calls] == ["get_many"], (name, cache_calls)
        assert seen(hit) == seen(from_view[name]), name
    assert from_view["GET"].status_code == 200 and from_view["304"].status_code == 304
    for header in ("X-Frame-Options", "Access-Control-Allow-Origin", "X-Content-Type-Options", "X-Request-ID"):
        assert from_view["GET"].has_header(header), header
    assert "public" in from_view["GET"]["Cache-Control"]


def answered_before_drf(cache_calls, send):
    """``send()``'s response, and whether it was answered before DRF (its only cache operation one get_many)."""
    cache_calls.clear()
    response = send()
    return response, [operation for operation, _ in cache_calls] == ["get_many"]
