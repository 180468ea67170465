"""Cached public reads answered before DRF (common.http_cache.AnonymousReadMiddleware): the same bytes and
headers as the view, one cache round trip, never a stale version, never for a request with credentials."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from common import http_cache
from common.tests import urls_anonymous_reads as echo

pytestmark = pytest.mark.django_db

URL = "/api/test/front/"
ORIGIN = "https://app.example.com"
# A fixed request id, so the answers of two requests can be compared header for header.
SAME_REQUEST = {"HTTP_ORIGIN": ORIGIN, "HTTP_X_REQUEST_ID": "req-1"}


@pytest.fixture(autouse=True)
def _echo_routes(settings):
    settings.ROOT_URLCONF = "common.tests.urls_anonymous_reads"
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN]
    echo.BUILDS.clear()
    echo.CURRENT_UNTIL[0] = None
    yield
    echo.CURRENT_UNTIL[0] = None


def answer(response) -> tuple:
    """Everything a client sees: status, every header in order, cookies, body."""
    return response.status_code, list(response.items()), response.cookies.output(), response.content


def front_reads(calls) -> list:
    return [call for call in calls if call[0] == "get_many" and any("http-cache:front:" in key for key in call[1])]


class TestTheSameAnswer:
    def test_a_hit_is_the_views_answer_header_for_header(self, cache_calls):
        # Given the view's answer to an anonymous request (built, then stored)
        first = Client().get(URL, {"a": "1"}, **SAME_REQUEST)
        assert echo.BUILDS == ["a=1"]
        # When the same request comes again
        cache_calls.clear()
        hit = Client().get(URL, {"a": "1"}, **SAME_REQUEST)
        # Then it is answered before DRF, in one cache round trip, with the same status, headers and body
        assert [name for name, _ in cache_calls] == ["get_many"]
        keys = cache_calls[0][1]
        assert "http-cache:version:catalogue" in keys and "http-cache:version:leaderboard" in keys
        assert echo.BUILDS == ["a=1"]
        assert answer(hit) == answer(first)
        # and the headers every middleware sets are there
        for header in ("X-Frame-Options", "Access-Control-Allow-Origin", "X-Content-Type-Options", "ETag"):
            assert hit.has_header(header), header
        assert hit["Vary"] == "Accept, Cookie, origin, Authorization"
        assert hit["Cache-Control"] == "public, max-age=15, stale-while-revalidate=30"
        assert hit["X-Request-ID"] == "req-1"

    def test_the_answer_equals_the_uncached_one(self, settings):
        settings.RESPONSE_CACHE = False
        uncached = Client().get(URL, **SAME_REQUEST)
        settings.RESPONSE_CACHE = True
        echo.BUILDS.clear()
        cold = Client().get(URL, **SAME_REQUEST)
        hit = Client().get(URL, **SAME_REQUEST)
        assert echo.BUILDS == [""]
        assert answer(cold) == answer(hit) == answer(uncached)

    def test_cors_headers_follow_each_requests_origin(self):
        Client().get(URL, **SAME_REQUEST)
        other = Client().get(URL, HTTP_ORIGIN="https://evil.example.com")
        none = Client().get(URL)
        assert len(echo.BUILDS) == 1
        assert not other.has_header("Access-Control-Allow-Origin")
        assert not none.has_header("Access-Control-Allow-Origin")

    def test_304_on_a_matching_if_none_match(self, settings, cache_calls):
        etag = Client().get(URL).headers["ETag"]
        settings.RESPONSE_CACHE = False
        from_view = Client().get(URL, HTTP_IF_NONE_MATCH=etag, **SAME_REQUEST)
        settings.RESPONSE_CACHE = True
        cache_calls.clear()
        from_front = Client().get(URL, HTTP_IF_NONE_MATCH=etag, **SAME_REQUEST)
        assert [name for name, _ in cache_calls] == ["get_many"]
        assert from_front.status_code == 304
        assert answer(from_front) == answer(from_view)
        # a different ETag is a 200 with the body
        assert Client().get(URL, HTTP_IF_NONE_MATCH='"other"').status_code == 200

    def test_head_is_answered_like_the_view_answers_it(self, settings, cache_calls):
        settings.RESPONSE_CACHE = False
        from_view = Client().head(URL, **SAME_REQUEST)
        settings.RESPONSE_CACHE = True
        Client().get(URL)
        cache_calls.clear()
        from_front = Client().head(URL, **SAME_REQUEST)
        assert [name for name, _ in cache_calls] == ["get_many"]
        assert answer(from_front) == answer(from_view)
        assert from_front.content == b""
        assert from_front["Content-Length"] == from_view["Content-Length"] != "0"

    def test_a_get_after_a_head_is_whole(self):
        head = Client().head(URL)
        get = Client().get(URL)
        assert len(echo.BUILDS) == 1
        assert get.json() == {"query": {}}
        assert get["Content-Length"] == head["Content-Length"] == str(len(get.content))


class TestNeverStale:
    def test_a_bumped_version_is_never_served(self):
        Client().get(URL)
        Client().get(URL)
        assert len(echo.BUILDS) == 1
        http_cache.version_bump(echo.SCOPE)
        Client().get(URL)
        assert len(echo.BUILDS) == 2
        Client().get(URL)
        assert len(echo.BUILDS) == 2

    def test_another_scopes_bump_does_not_matter(self):
        Client().get(URL)
        http_cache.version_bump("catalogue")
        Client().get(URL)
        assert len(echo.BUILDS) == 1

    def test_an_expired_entry_is_not_served(self):
        with time_machine.travel(timezone.now(), tick=False) as clock:
            Client().get(URL)
            clock.shift(datetime.timedelta(seconds=echo.TIMEOUT - 1))
            Client().get(URL)
            assert len(echo.BUILDS) == 1
            clock.shift(datetime.timedelta(seconds=2))
            Client().get(URL)
            assert len(echo.BUILDS) == 2

    def test_a_front_entry_expires_with_the_view_entry_it_was_taken_from(self):
        """Given the view's entry 50 s old when the front entry is taken from it, the front entry lasts 10 s."""
        with time_machine.travel(timezone.now(), tick=False) as clock:
            Client().get(URL, HTTP_ACCEPT="application/json")  # the view's entry (and a front entry for it)
            clock.shift(datetime.timedelta(seconds=50))
            Client().get(URL)  # another front key, from the 50 s old view entry
            assert echo.BUILDS == [""]
            clock.shift(datetime.timedelta(seconds=echo.TIMEOUT - 50 + 1))
            Client().get(URL)
            assert len(echo.BUILDS) == 2

    def test_not_served_once_the_answer_stops_being_current(self, cache_calls):
        # Given an answer that is current until a moment (a leaderboard period's end) 4.5 s away (the cache's
        # own expiry, in whole seconds, would keep it until 5 s)
        with time_machine.travel(timezone.now(), tick=False) as clock:
            echo.CURRENT_UNTIL[0] = timezone.now() + datetime.timedelta(seconds=4.5)
            Client().get(URL)
            clock.shift(datetime.timedelta(seconds=4.2))
            cache_calls.clear()
            Client().get(URL)
            assert [name for name, _ in cache_calls] == ["get_many"]
            # When that moment has passed
            clock.shift(datetime.timedelta(seconds=0.4))
            cache_calls.clear()
            Client().get(URL)
        # Then the view answers (the route's own key says which answer is current: a leaderboard's has its
        # period in it), and nothing is kept before DRF for a moment that has passed
        assert any(name == "get_many" and "http-cache:version:front-test" in keys for name, keys in cache_calls)
        assert not [call for call in cache_calls if call[0] == "set" and "front" in str(call[1])]


class TestOnlyForAnonymousRequests:
    @pytest.mark.parametrize(
        "headers",
        [
            {"HTTP_AUTHORIZATION": "Bearer not-a-token"},
            {"HTTP_AUTHORIZATION": ""},
            {"HTTP_COOKIE": "sessionid=whatever"},
            {"HTTP_COOKIE": "csrftoken=abc"},
        ],
        ids=["bearer", "empty-authorization", "session-cookie", "other-cookie"],
    )
    def test_a_request_with_credentials_or_a_cookie_never_takes_the_path(self, headers, cache_calls):
        Client().get(URL)
        Client().get(URL)
        cache_calls.clear()
        response = Client().get(URL, **headers)
        assert front_reads(cache_calls) == []
        assert not any(name == "set" and "http-cache:front:" in str(key) for name, key in cache_calls)
        assert response.status_code in (200, 401)

    def test_a_signed_in_session_gets_the_view(self, make_user, cache_calls):
        client = Client()
        client.force_login(make_user("student"))
        Client().get(URL)
        cache_calls.clear()
        assert client.get(URL).status_code == 200
        assert front_reads(cache_calls) == []
        assert "no-store" in client.get(URL)["Cache-Control"]

    def test_drf_forced_authentication_gets_the_view(self, make_user, cache_calls):
        Client().get(URL)
        client = APIClient()
        client.force_authenticate(make_user("student"))
        cache_calls.clear()
        client.get(URL)
        assert front_reads(cache_calls) == []

    @pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
    def test_other_methods_go_to_the_view(self, method, cache_calls):
        Client().get(URL)
        cache_calls.clear()
        response = getattr(Client(), method)(URL)
        assert front_reads(cache_calls) == []
        assert response.status_code in (200, 405)

    def test_routes_without_cached_reads_are_not_looked_up(self, cache_calls):
        assert Client().get("/api/test/plain/").status_code == 200
        assert Client().get("/api/no-such-route/").status_code == 404
        assert cache_calls == []

    def test_response_cache_off_is_not_looked_up(self, settings, cache_calls):
        settings.RESPONSE_CACHE = False
        Client().get(URL)
        Client().get(URL)
        assert cache_calls == []
        assert len(echo.BUILDS) == 2

    def test_an_unknown_accept_goes_to_the_view_every_time(self):
        assert Client().get(URL, HTTP_ACCEPT="application/x-unknown").status_code == 406
        assert Client().get(URL, HTTP_ACCEPT="application/x-unknown").status_code == 406
        assert not any(str(key).startswith(":1:http-cache:front:") for key in cache._cache)


class TestKeys:
    @pytest.mark.parametrize(
        ("first", "second"),
        [
            ("a=1&b=2", "b=2&a=1"),  # order
            ("q=a%20b", "q=a+b"),  # encoding of the same value
            ("q=%C3%A9", "q=%c3%a9"),
            ("", "page=1"),
        ],
    )
    def test_query_strings_differing_in_order_or_encoding_are_different_keys(self, first, second):
        Client().get(f"{URL}?{first}")
        Client().get(f"{URL}?{second}")
        Client().get(f"{URL}?{first}")
        Client().get(f"{URL}?{second}")
        assert [first, second] == echo.BUILDS

    def test_the_same_path_with_or_without_its_slash_is_one_key(self):
        first = Client().get(URL, **SAME_REQUEST)
        assert answer(Client().get(URL.rstrip("/"), **SAME_REQUEST)) == answer(first)
        assert len(echo.BUILDS) == 1

    def test_host_scheme_and_accept_are_part_of_the_key(self, settings):
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "a.example.com", "b.example.com"]
        requests = [
            {"HTTP_HOST": "a.example.com"},
            {"HTTP_HOST": "b.example.com"},
            {"HTTP_HOST": "a.example.com", "HTTP_X_FORWARDED_PROTO": "https", "secure": True},
            {"HTTP_HOST": "a.example.com", "HTTP_ACCEPT": "application/json"},
        ]
        for kwargs in requests * 2:
            Client().get(URL, **kwargs)
        assert cache._cache  # the entries are in this process's cache
        fronts = [key for key in cache._cache if "http-cache:front:" in key]
        assert len(fronts) == 4


class TestCacheDown:
    def test_an_unreachable_cache_answers_uncached(self, settings):
        settings.RESPONSE_CACHE = False
        uncached = Client().get(URL, **SAME_REQUEST)
        settings.RESPONSE_CACHE = True
        settings.CACHES = {
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": "redis://127.0.0.1:1/0",
                "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.1, "SOCKET_TIMEOUT": 0.1},
            }
        }
        echo.BUILDS.clear()
        answers = [Client().get(URL, **SAME_REQUEST) for _ in range(2)]
        assert len(echo.BUILDS) == 2  # every one built by the view
        assert [answer(a) for a in answers] == [answer(uncached)] * 2


class TestWhatIsKept:
    def _request(self):
        request = RequestFactory().get(URL)
        request.api_route = None
        return request

    def test_a_response_with_a_cookie_is_not_kept(self, cache_calls):
        response = HttpResponse(b"{}", headers={"ETag": '"x"'})
        response.public_entry = http_cache.PublicEntry(echo.SCOPE, "v", float("inf"))
        response.set_cookie("anything", "1")
        http_cache._front_keep(self._request(), response, "http-cache:front:k")
        assert cache_calls == []

    def test_a_response_not_taken_from_the_anonymous_representation_is_not_kept(self, cache_calls):
        http_cache._front_keep(self._request(), HttpResponse(b"{}", headers={"ETag": '"x"'}), "http-cache:front:k")
        assert cache_calls == []

    def test_a_kept_response_is_kept_whole(self, cache_calls):
        response = HttpResponse(b"{}", headers={"ETag": '"x"', "Vary": "Accept"})
        response.public_entry = http_cache.PublicEntry(echo.SCOPE, "v", datetime.datetime.now().timestamp() + 30)
        http_cache._front_keep(self._request(), response, "http-cache:front:k")
        scope, version, _, headers, body = cache.get("http-cache:front:k")
        assert (scope, version, body) == (echo.SCOPE, "v", b"{}")
        assert headers == (("ETag", '"x"'), ("Vary", "Accept"), ("Content-Type", "text/html; charset=utf-8"))


@pytest.mark.redis
def test_one_redis_command_per_hit(settings, monkeypatch):
    """On the production cache (django-redis), a hit is one command: MGET of the front key and the versions."""
    import os

    import redis

    url = os.environ.get("REDIS_TEST_URL")
    if not url:
        pytest.skip("needs REDIS_TEST_URL (a Redis database the test may write to)")
    settings.CACHES = {
        "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url, "KEY_PREFIX": "front-test"}
    }
    cache.clear()
    try:
        first = Client().get(URL, **SAME_REQUEST)
        commands: list[str] = []
        execute = redis.Redis.execute_command

        def spy(self, *args, **options):
            commands.append(args[0])
            return execute(self, *args, **options)

        monkeypatch.setattr(redis.Redis, "execute_command", spy)
        hit = Client().get(URL, **SAME_REQUEST)
        assert commands == ["MGET"]
        assert answer(hit) == answer(first)
        assert echo.BUILDS == [""]
    finally:
        monkeypatch.undo()
        cache.clear()
