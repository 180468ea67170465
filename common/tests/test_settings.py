"""Production settings refuse to load without their essentials, and say which variable is missing."""

import json
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


def storage_settings(**env_overrides: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "AWS_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "true", **env_overrides})
    program = (
        "import django, json; django.setup()\n"
        "from django.conf import settings\n"
        "from django.core.files.storage import storages\n"
        "default_storage = storages['default']\n"
        "print(json.dumps({'backend': settings.STORAGES['default']['BACKEND'],"
        " 'class': type(default_storage).__name__,"
        " 'options': settings.STORAGES['default'].get('OPTIONS', {}),"
        " 'endpoint': getattr(default_storage, 'endpoint_url', None),"
        " 'bucket': getattr(default_storage, 'bucket_name', None),"
        " 'region': getattr(default_storage, 'region_name', None),"
        " 'access_key': getattr(default_storage, 'access_key', None)}))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and program
        [sys.executable, "-c", program], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_generated_files_stay_on_local_disk_by_default():
    assert storage_settings()["backend"] == "django.core.files.storage.FileSystemStorage"


def test_a_bucket_name_switches_generated_files_to_private_object_storage():
    # Given the bucket and django-storages' own connection settings
    loaded = storage_settings(
        AWS_STORAGE_BUCKET_NAME="dca-media",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        AWS_S3_REGION_NAME="ap-south-1",
        AWS_ACCESS_KEY_ID="key-id",
        AWS_SECRET_ACCESS_KEY="secret",
    )

    # Then the default storage is S3 with them, private (no public ACL, signed URLs only)
    assert loaded["backend"] == "storages.backends.s3.S3Storage"
    assert loaded["class"] == "S3Storage"
    assert (loaded["bucket"], loaded["endpoint"], loaded["region"], loaded["access_key"]) == (
        "dca-media",
        "http://127.0.0.1:9000",
        "ap-south-1",
        "key-id",
    )
    assert loaded["options"]["default_acl"] is None
    assert loaded["options"]["querystring_auth"] is True
    assert loaded["options"]["file_overwrite"] is False
