"""Sessions, CSRF, Django's request.user and messages stay off a Bearer request to the API, and nothing it is
answered changes; cookie-signed requests keep all four."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.headless import app_settings as headless_settings
from django.test import Client

from common.middleware import bearer_api_request

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # the make_user fixture's
DJANGO_MIDDLEWARE = {
    "common.middleware.SessionMiddleware": "django.contrib.sessions.middleware.SessionMiddleware",
    "common.middleware.CsrfViewMiddleware": "django.middleware.csrf.CsrfViewMiddleware",
    "common.middleware.AuthenticationMiddleware": "django.contrib.auth.middleware.AuthenticationMiddleware",
    "common.middleware.MessageMiddleware": "django.contrib.messages.middleware.MessageMiddleware",
}
VOLATILE = {"X-Request-ID", "Date"}


@pytest.fixture
def signed_in(make_user):
    """A student's access token (allauth's app client) and another user's session cookie."""
    student = make_user("student", email="bearer@example.com")
    EmailAddress.objects.create(user=student, email=student.email, verified=True, primary=True)
    login = Client().post(
        "/_allauth/app/v1/auth/login", {"email": student.email, "password": PASSWORD}, content_type="application/json"
    )
    assert login.status_code == 200, login.content
    other = Client(enforce_csrf_checks=True)
    other.force_login(make_user("student", email="cookie@example.com"))
    return login.json()["meta"]["access_token"], other.cookies


def _requests(token: str) -> list[tuple[str, str, dict]]:
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    return [
        ("get", "/api/auth/me/", bearer),
        ("get", "/api/courses/", bearer),
        ("get", "/api/enrollments", bearer),  # the other spelling of the route
        ("post", "/api/payments/order/", bearer),  # 400: no course
        ("get", "/api/auth/me/", {"HTTP_AUTHORIZATION": "Bearer not-a-token"}),  # 401
        ("get", "/api/auth/me/", {"HTTP_AUTHORIZATION": "bearer " + token}),  # the scheme in any case
    ]


def _answers(cookies, token) -> list[tuple[int, dict, bytes]]:
    answers = []
    for method, path, headers in _requests(token):
        client = Client(enforce_csrf_checks=True)
        client.cookies = cookies  # a session of someone else, and no CSRF token: neither may matter
        response = getattr(client, method)(path, content_type="application/json", **headers)
        kept = {name: value for name, value in response.items() if name not in VOLATILE}
        answers.append((response.status_code, kept, response.content, dict(response.cookies)))
    return answers


def test_a_bearer_request_is_answered_as_with_djangos_middleware(signed_in, settings):
    token, cookies = signed_in
    ours = _answers(cookies, token)
    settings.MIDDLEWARE = [DJANGO_MIDDLEWARE.get(name, name) for name in settings.MIDDLEWARE]
    assert _answers(cookies, token) == ours
    statuses = [status for status, *_ in ours]
    assert statuses == [200, 200, 200, 400, 401, 200]
    assert b"bearer@example.com" in ours[0][2]  # the token's user, not the cookie's


def test_cookie_requests_keep_csrf_and_sessions(signed_in):
    _token, cookies = signed_in
    client = Client(enforce_csrf_checks=True)
    client.cookies = cookies
    assert client.get("/api/auth/me/").json()["email"] == "cookie@example.com"
    refused = client.post("/api/payments/order/", {}, content_type="application/json")
    assert (refused.status_code, refused.json()["code"]) == (403, "csrf_failed")


def test_only_bearer_requests_to_the_api_skip_them(rf):
    assert headless_settings.JWT_AUTHORIZATION_HEADER_SCHEME.lower() == "bearer"  # the scheme checked
    assert bearer_api_request(rf.get("/api/courses/", HTTP_AUTHORIZATION="Bearer x"))
    assert not bearer_api_request(rf.get("/api/courses/"))
    assert not bearer_api_request(rf.get("/api/courses/", HTTP_AUTHORIZATION="Basic eDp5"))
    assert not bearer_api_request(rf.get("/api/courses/", HTTP_AUTHORIZATION="Bearer"))
    assert not bearer_api_request(rf.get("/admin/", HTTP_AUTHORIZATION="Bearer x"))
    assert not bearer_api_request(rf.get("/_allauth/app/v1/auth/session", HTTP_AUTHORIZATION="Bearer x"))
