"""Swagger UI and Redoc are served from the project and make no request off the machine."""

from __future__ import annotations

import re

import pytest

from common.middleware import DOCS_CSP as DOCS_CONTENT_SECURITY_POLICY

LOCAL_HOSTS = {"localhost", "127.0.0.1", "testserver"}
ABSOLUTE_URL = re.compile(r"""(?:https?:)?//([a-z0-9.-]+\.[a-z]{2,}|localhost|testserver)[:/"'\s)]""", re.IGNORECASE)


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_reference_no_other_host(client, path):
    # When a browser opens the docs page
    response = client.get(path)

    # Then the page (scripts, styles, fonts, settings) names no host but this one
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert set(ABSOLUTE_URL.findall(html)) <= LOCAL_HOSTS, ABSOLUTE_URL.findall(html)
    assert "/static/drf_spectacular_sidecar/" in html
    # And the browser is told to refuse anything from elsewhere (Redocly's CDN logo in Redoc's footer)
    assert response["Content-Security-Policy"] == DOCS_CONTENT_SECURITY_POLICY


def test_the_policy_allows_only_this_origin():
    directives = dict(item.split(" ", 1) for item in DOCS_CONTENT_SECURITY_POLICY.split("; "))
    assert directives["default-src"] == "'self'"
    for directive in ("script-src", "style-src", "img-src", "font-src", "connect-src", "worker-src"):
        sources = set(directives[directive].split())
        assert sources <= {"'self'", "'unsafe-inline'", "data:", "blob:"}, directive


def test_swagger_ui_does_not_call_the_public_validator(client):
    # The page's start-up script is served as a file of its own (no inline script under the CSP)
    script = client.get("/api/docs/?script=").content.decode()
    assert '"validatorUrl": null' in script


def test_redoc_uses_system_fonts_not_web_fonts(client):
    html = client.get("/api/redoc/").content.decode()
    assert "fonts.googleapis.com" not in html and "fonts.gstatic.com" not in html
