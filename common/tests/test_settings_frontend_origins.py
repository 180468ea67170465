"""CORS and CSRF origins: the web app on FRONTEND_URL works out of the box in development, never by default
in production."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "s" * 64,
    "ALLOWED_HOSTS": "api.example.com",
    "JWT_PRIVATE_KEY": (BASE_DIR / "config" / "dev_jwt_private_key.pem").read_text(),
}
# Loads the settings in a fresh interpreter, then sends the browser's CORS preflight for a login.
PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
preflight = Client().options(
    "/_allauth/browser/v1/auth/login",
    HTTP_ORIGIN="http://localhost:3000",
    HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type,x-csrftoken",
)
print(json.dumps({
    "cors": settings.CORS_ALLOWED_ORIGINS,
    "csrf": settings.CSRF_TRUSTED_ORIGINS,
    "allow_origin": preflight.get("Access-Control-Allow-Origin"),
}))
"""


def load(**env_overrides: str) -> dict:
    names = ("DJANGO_", "DATABASE_URL", "DEBUG", "FRONTEND_URL", "CORS_", "CSRF_", "SECRET_KEY", "ALLOWED_HOSTS")
    env = {k: v for k, v in os.environ.items() if not k.startswith(names)}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "true", **env_overrides})
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", PROBE], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_development_lets_the_default_frontend_call_the_api():
    # Given a fresh checkout: DEBUG on, nothing configured
    # When the Next.js dev server on http://localhost:3000 sends a login preflight
    loaded = load()

    # Then its origin is allowed for CORS (with credentials) and trusted for CSRF
    assert loaded["cors"] == ["http://localhost:3000"]
    assert loaded["csrf"] == ["http://localhost:3000"]
    assert loaded["allow_origin"] == "http://localhost:3000"


def test_development_trusts_the_origin_of_the_configured_frontend_url():
    # Given a frontend elsewhere, with a path and a trailing slash
    loaded = load(FRONTEND_URL="http://127.0.0.1:5173/app/")

    # Then the origin (scheme, host and port) is what is trusted, and localhost:3000 no longer is
    assert loaded["cors"] == ["http://127.0.0.1:5173"]
    assert loaded["csrf"] == ["http://127.0.0.1:5173"]
    assert loaded["allow_origin"] is None


def test_explicit_origins_win_over_the_development_default():
    loaded = load(CORS_ALLOWED_ORIGINS="https://app.example.com", CSRF_TRUSTED_ORIGINS="https://app.example.com")

    assert loaded["cors"] == ["https://app.example.com"]
    assert loaded["csrf"] == ["https://app.example.com"]
    assert loaded["allow_origin"] is None


@pytest.mark.parametrize("frontend_url", ["http://localhost:3000", "https://app.example.com"])
def test_production_trusts_no_origin_unless_told(frontend_url):
    # Given DEBUG off and no CORS/CSRF origins configured
    loaded = load(**PRODUCTION, FRONTEND_URL=frontend_url)

    # Then no cross-origin browser may call the API
    assert loaded["cors"] == []
    assert loaded["csrf"] == []
    assert loaded["allow_origin"] is None
