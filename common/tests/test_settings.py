"""Production settings refuse to load without their essentials, and say which variable is missing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
STRONG_SECRET = "s" * 64


def load_settings(**env_overrides: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "false", **env_overrides})
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('loaded')"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("overrides", "missing"),
    [
        ({"SECRET_KEY": "", "ALLOWED_HOSTS": "api.example.com"}, "SECRET_KEY"),
        ({"SECRET_KEY": "short", "ALLOWED_HOSTS": "api.example.com"}, "SECRET_KEY"),
        ({"SECRET_KEY": STRONG_SECRET, "ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"SECRET_KEY": STRONG_SECRET, "ALLOWED_HOSTS": "api.example.com", "JWT_PRIVATE_KEY": ""}, "JWT_PRIVATE_KEY"),
    ],
)
def test_production_refuses_to_start_without_essentials(overrides, missing):
    result = load_settings(**overrides)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_production_starts_with_essentials():
    key = (BASE_DIR / "config" / "dev_jwt_private_key.pem").read_text()
    result = load_settings(SECRET_KEY=STRONG_SECRET, ALLOWED_HOSTS="api.example.com", JWT_PRIVATE_KEY=key)
    assert result.returncode == 0, result.stderr
    assert "loaded" in result.stdout
