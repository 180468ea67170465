"""Every API route answers with and without its trailing slash; unknown API paths are JSON 404s before CSRF."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client, RequestFactory
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse
from model_bakery import baker

from common.middleware import NOT_FOUND_ROUTE, TrailingSlashMiddleware

# Values tried for each URL parameter, in order, until the route accepts one.
SAMPLE_VALUES = (str(uuid.UUID(int=7)), "users", "ABCD1234", "1")


def _api_routes(patterns, namespace: str = "", prefix: str = ""):
    """(qualified name, parameter names, route text) of every named route under /api/ and /_allauth/."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _api_routes(pattern.url_patterns, inner, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name and pattern.name != NOT_FOUND_ROUTE:
            route = prefix + str(pattern.pattern)
            if route.lstrip("^").startswith(("api/", "_allauth/")):
                yield f"{namespace}{pattern.name}", list(pattern.pattern.regex.groupindex), route


def _sample_path(name: str, params: list[str]) -> str:
    kwargs = dict.fromkeys(params, SAMPLE_VALUES[0])
    for param in params:
        for value in SAMPLE_VALUES:
            try:
                reverse(name, kwargs={**kwargs, param: value})
            except NoReverseMatch:
                continue
            kwargs[param] = value
            break
    return reverse(name, kwargs=kwargs)


def _served_path(path: str) -> str:
    """The path the URL resolver sees after the middleware, for a request to ``path``."""
    seen = {}

    def view(request):
        seen["path_info"], seen["path"] = request.path_info, request.path

    TrailingSlashMiddleware(view)(RequestFactory().post(path))
    assert seen["path"] == seen["path_info"]  # no SCRIPT_NAME here: both agree
    return seen["path_info"]


ROUTES = sorted(_api_routes(get_resolver().url_patterns))


def test_the_walk_sees_the_project_and_allauth_routes():
    names = {name for name, _, _ in ROUTES}
    assert {"course-list", "course-submit", "payment-order", "admin-report", "headless:app:account:login"} <= names
    assert len(ROUTES) > 80


@pytest.mark.parametrize(("name", "params", "route"), ROUTES, ids=[name for name, _, _ in ROUTES])
def test_both_spellings_of_every_route_reach_the_same_view(name, params, route):
    # Given a concrete path of the route, as written (with a slash for ours, without for allauth's)
    written = _sample_path(name, params)
    expected = resolve(written)
    other = written[:-1] if written.endswith("/") else f"{written}/"

    # When a request comes for either spelling
    for path in (written, other):
        served = resolve(_served_path(path))

        # Then the same view runs with the same arguments
        assert (served.url_name, served.func, served.kwargs) == (expected.url_name, expected.func, expected.kwargs), (
            path
        )


@pytest.mark.parametrize("path", ["/api/nope/", "/api/nope", "/_allauth/app/v1/nope", "/admin/login"])
def test_unknown_paths_and_pages_outside_the_api_are_left_alone(path):
    assert _served_path(path) == path


@pytest.mark.django_db
class TestOverHTTP:
    @pytest.fixture
    def csrf_client(self) -> Client:
        return Client(enforce_csrf_checks=True)

    def test_post_without_slash_reaches_the_view_with_a_bearer_token(self, csrf_client, make_user):
        # Given a student signed in through the app client (a real Bearer token, no CSRF cookie)
        make_user("student", email="asha@example.com")
        login = csrf_client.post(
            "/_allauth/app/v1/auth/login",
            {"email": "asha@example.com", "password": "correct-horse-battery"},
            content_type="application/json",
        )
        token = login.json()["meta"]["access_token"]

        # When they post an order to the seed's spelling, /api/payments/order (no trailing slash)
        response = csrf_client.post(
            "/api/payments/order", {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
        )

        # Then the order view validates it: a field error, neither 403 csrf_failed nor a redirect
        assert response.status_code == 400
        assert response.json()["errors"] == {"course": ["This field is required."]}

    def test_the_rewrite_runs_before_csrf_and_the_sign_in_guard(self, settings):
        order = settings.MIDDLEWARE
        rewrite = order.index("common.middleware.TrailingSlashMiddleware")
        assert rewrite < order.index("django.middleware.csrf.CsrfViewMiddleware")
        assert rewrite < order.index("accounts.middleware.AuthGuardMiddleware")

    def test_get_without_slash_is_the_same_answer(self, api_client, make_user):
        baker.make("catalog.Domain", name="Data Science", slug="data-science")
        with_slash = api_client.get("/api/domains/")
        without = api_client.get("/api/domains")
        assert without.status_code == with_slash.status_code == 200
        assert without.json() == with_slash.json()

    @pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "options"])
    @pytest.mark.parametrize("path", ["/api/nope/x/", "/api/nope", "/_allauth/app/v1/nope", "/_allauth/x/"])
    def test_unknown_api_paths_are_json_404_for_every_method_before_csrf(self, csrf_client, method, path):
        response = csrf_client.generic(method.upper(), path, data="{}", content_type="application/json")

        assert response.status_code == 404
        assert response.json() == {"detail": "Not found.", "code": "not_found"}

    def test_allauth_routes_answer_with_a_trailing_slash_too(self, client, make_user):
        # Given an account, and the allauth app client's login written with a trailing slash
        make_user("student", email="asha@example.com")
        body = {"email": "asha@example.com", "password": "correct-horse-battery"}

        # When the client signs in at either spelling
        without = client.post("/_allauth/app/v1/auth/login", body, content_type="application/json")
        with_slash = client.post("/_allauth/app/v1/auth/login/", body, content_type="application/json")

        # Then both sign in
        assert without.status_code == with_slash.status_code == 200
        assert with_slash.json()["meta"]["access_token"]


class TestRoutesFoundOnce:
    def test_a_path_is_resolved_once_per_urlconf(self, monkeypatch, settings):
        from common import middleware

        middleware._resolved.cache_clear()
        calls = []
        real = middleware.resolve

        def counting(path, urlconf=None):
            calls.append((path, urlconf))
            return real(path, urlconf)

        monkeypatch.setattr(middleware, "resolve", counting)
        # Given a path resolved once (its other spelling tried too)
        first = middleware.route_match("/api/domains")
        assert first[0] == "/api/domains/" and first[1].url_name == "domain-list"
        # When it comes again, then the answer is the same and nothing is resolved again
        assert middleware.route_match("/api/domains") == first
        assert calls == [("/api/domains", "config.urls"), ("/api/domains/", "config.urls")]
        # and another URLconf's routes are its own
        settings.ROOT_URLCONF = "common.tests.urls_public_cache"
        assert middleware.route_match("/api/test/public")[0] == "/api/test/public/"
        settings.ROOT_URLCONF = "config.urls"
        assert middleware.route_match("/api/test/public") == ("/api/test/public", None)
