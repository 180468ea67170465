"""Response headers: personal responses are never stored by caches; the HTML pages have a CSP."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.utils.cache import get_max_age

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def directives(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}


def session_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("student", "/api/auth/me/"),
        ("student", "/api/enrollments/"),
        ("student", "/api/payments/history/"),
        ("student", "/api/certificates/"),
        ("student", "/api/gamification/xp/"),
        ("admin", "/api/admin/stats/"),
        ("admin", "/api/admin/users/"),
        ("admin", "/api/admin/audit-log/"),
        # a refusal to a signed-in caller is private too
        ("student", "/api/admin/users/"),
    ],
)
def test_signed_in_api_responses_are_no_store(make_user, role, url):
    response = session_client(make_user(role)).get(url)

    assert response.status_code in (200, 403)
    assert {"no-store", "private"} <= directives(response)
    assert {"authorization", "cookie"} <= vary(response)


def test_a_bearer_token_response_is_no_store(make_user):
    # given a user signed in through allauth's app client (a JWT, no cookie)
    user = make_user("student", email="asha@example.com")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    login = Client().post(
        "/_allauth/app/v1/auth/login", {"email": user.email, "password": PASSWORD}, content_type="application/json"
    )
    assert login.status_code == 200, login.content
    token = login.json()["meta"]["access_token"]

    # when they read their profile with the token
    response = Client().get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {token}")

    # then the personal data is not stored by any cache; allauth's own response was not either
    assert response.status_code == 200 and response.json()["email"] == "asha@example.com"
    assert "no-store" in directives(response)
    assert "no-store" in directives(login)


def test_allauth_responses_are_no_store_even_anonymous():
    response = Client().get("/_allauth/browser/v1/auth/session")

    assert "no-store" in directives(response)
    assert {"authorization", "cookie"} <= vary(response)


def test_anonymous_public_responses_may_be_cached_but_vary_by_credentials():
    response = Client().get("/api/courses/")

    assert response.status_code == 200
    assert "no-store" not in directives(response)
    assert {"authorization", "cookie"} <= vary(response)


def test_an_explicit_public_policy_is_kept(make_user, settings):
    # given a view that says its answer is public (the project has none today; the rule must allow one)
    settings.ROOT_URLCONF = "common.tests.urls_public_cache"

    response = session_client(make_user("student")).get("/api/test/public/")

    assert "public" in directives(response) and "no-store" not in directives(response)
    assert get_max_age(response) == 60


def test_admin_site_is_no_store_with_a_csp(make_user):
    response = session_client(make_user("admin")).get("/admin/")

    assert response.status_code == 200
    assert "no-store" in directives(response)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self';" in csp
    assert "'unsafe-eval'" not in csp and "script-src 'self' 'unsafe-inline'" not in csp
    # the login page (anonymous) gets it too
    assert "Content-Security-Policy" in Client().get("/admin/login/")


SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S)


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_api_docs_have_a_self_only_csp_their_pages_can_live_with(url):
    response = Client().get(url)

    assert response.status_code == 200
    csp = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert csp["default-src"] == "'self'" and csp["script-src"] == "'self'"
    assert csp["worker-src"] == "'self' blob:"  # Redoc's search worker
    # every script the page runs is a same-origin file (script-src 'self' refuses inline scripts)
    html = response.content.decode()
    scripts = SCRIPT_TAG.findall(html)
    assert scripts
    for attributes, body in scripts:
        source = re.search(r'src="([^"]+)"', attributes)
        assert source and source.group(1).startswith("/") and not source.group(1).startswith("//"), attributes
        assert not body.strip()


def test_swagger_start_up_script_is_served_as_a_file():
    html = Client().get("/api/docs/").content.decode()
    script_url = re.findall(r'<script src="([^"]*script[^"]*)"', html)[-1].replace("&amp;", "&")

    response = Client().get(script_url)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in response.content.decode()
