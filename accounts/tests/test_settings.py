"""Sign-in settings as loaded from the environment (a fresh interpreter per case)."""

import json
import os
import subprocess
import sys

import pytest

from common.tests.test_settings import BASE_DIR, STRONG_SECRET

PRINT = (
    "from django.conf import settings as s; "
    "print(s.ACCOUNT_EMAIL_VERIFICATION, getattr(s, 'SOCIALACCOUNT_ONLY', False), s.ACCOUNTS_PASSWORD_LOGIN_ENABLED)"
)


def _load(**env) -> str:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    full_env.update({"DJANGO_SETTINGS_MODULE": "config.settings", **env})
    out = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", f"import django; django.setup(); {PRINT}"],
        cwd=BASE_DIR,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": STRONG_SECRET,
    "ALLOWED_HOSTS": "api.example.com",
}


@pytest.fixture(scope="module")
def jwt_key() -> str:
    return (BASE_DIR / "config" / "dev_jwt_private_key.pem").read_text()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "mandatory False True"),
        ({"ACCOUNTS_PASSWORD_LOGIN_ENABLED": "false"}, "none True False"),
    ],
)
def test_production_sign_in_settings(jwt_key, env, expected):
    assert _load(**PRODUCTION, JWT_PRIVATE_KEY=jwt_key, **env) == expected


def test_development_verification_is_optional_and_one_variable_overrides_it():
    from django.conf import settings

    assert settings.ACCOUNT_EMAIL_VERIFICATION == "optional"  # this test run is DEBUG's default (on)
    assert _load(DEBUG="true", ACCOUNT_EMAIL_VERIFICATION="mandatory") == "mandatory False True"


def test_production_frontend_urls_cover_every_one_allauth_may_ask_for(jwt_key):
    # The names allauth's code passes to get_frontend_url (accounts/tests/test_signup.py scans for them);
    # with HEADLESS_ONLY a missing one is a 500 at the moment a mail needs it.
    from accounts.tests.test_signup import frontend_url_names_allauth_asks_for

    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'urls': s.HEADLESS_FRONTEND_URLS, 'academy': s.ACADEMY_NAME,"
        " 'certificates': s.CERTIFICATES_ACADEMY_NAME, 'totp_issuer': s.MFA_TOTP_ISSUER}))"
    )
    full_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL")) and k != "CERTIFICATES_ACADEMY_NAME"
    }
    full_env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        **PRODUCTION,
        JWT_PRIVATE_KEY=jwt_key,
        FRONTEND_URL="https://learn.example.com/",
        ACADEMY_NAME="Example Academy",
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", script], cwd=BASE_DIR, env=full_env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    loaded = json.loads(out.stdout)

    assert frontend_url_names_allauth_asks_for() <= set(loaded["urls"])
    assert all(url.startswith("https://learn.example.com/auth/") for url in loaded["urls"].values())
    assert loaded["academy"] == "Example Academy"
    # one name, set once: certificates and authenticator apps show it unless told otherwise
    assert loaded["certificates"] == loaded["totp_issuer"] == "Example Academy"
