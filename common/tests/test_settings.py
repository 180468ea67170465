"""Production settings refuse to load without their essentials, and say which variable is missing."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
STRONG_SECRET = "s" * 64


def run_with_settings(
    program: str, *, unset: tuple[str, ...] = ("DATABASE_URL",), **env_overrides: str
) -> subprocess.CompletedProcess:
    """Run ``program`` after ``django.setup()`` with ``config.settings``, the ``unset`` variables removed from
    the environment and ``env_overrides`` added (DEBUG off unless they say otherwise)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", *unset))}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "false", **env_overrides})
    return subprocess.run(  # noqa: S603 - our own interpreter and program
        [sys.executable, "-c", "import django, json; django.setup()\nfrom django.conf import settings\n" + program],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def load_settings(**env_overrides: str) -> subprocess.CompletedProcess:
    return run_with_settings("print('loaded')", **env_overrides)


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


def settings_json(program: str, *, unset: tuple[str, ...], **env_overrides: str) -> dict:
    """What ``program`` prints as JSON with DEBUG on (see ``run_with_settings``)."""
    result = run_with_settings(program, unset=unset, **{"DEBUG": "true", **env_overrides})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def storage_settings(**env_overrides: str) -> dict:
    program = (
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
    return settings_json(program, unset=("DATABASE_URL", "AWS_"), **env_overrides)


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


def database_settings(**env_overrides: str) -> dict:
    program = (
        "print(json.dumps({'databases': settings.DATABASES, 'replicas': settings.DATABASE_REPLICAS,"
        " 'routers': settings.DATABASE_ROUTERS}, default=str))"
    )
    return settings_json(program, unset=("DATABASE_",), **env_overrides)


def test_replica_urls_become_replica_aliases_with_the_primarys_deadlines():
    loaded = database_settings(
        DATABASE_URL="postgres://app@primary:5432/dca",
        DATABASE_REPLICA_URLS="postgres://app@replica-a:5432/dca,postgres://app@replica-b:5432/dca",
    )
    databases = loaded["databases"]
    assert loaded["replicas"] == ["replica_0", "replica_1"]
    assert [databases[alias]["HOST"] for alias in loaded["replicas"]] == ["replica-a", "replica-b"]
    for alias in loaded["replicas"]:
        assert databases[alias]["OPTIONS"] == databases["default"]["OPTIONS"]
        assert "statement_timeout" in databases[alias]["OPTIONS"]["options"]
        assert databases[alias]["TEST"]["MIRROR"] == "default"
    assert loaded["routers"] == ["common.db_router.PrimaryReplicaRouter"]


def test_without_replica_urls_there_is_only_the_primary():
    loaded = database_settings(DATABASE_URL="postgres://app@primary:5432/dca")
    assert list(loaded["databases"]) == ["default"] and loaded["replicas"] == []


def test_transaction_pooling_keeps_nothing_in_the_session():
    # Given PgBouncer in transaction-pooling mode in front of the database
    loaded = database_settings(
        DATABASE_URL="postgres://app@pgbouncer:6432/dca",
        DATABASE_REPLICA_URLS="postgres://app@pgbouncer:6432/dca_replica",
        DATABASE_TRANSACTION_POOLING="true",
    )
    # Then no startup options (PgBouncer refuses them), no server-side cursors and no prepared statements (they live
    # in the server session), on the replica too
    for alias in ("default", "replica_0"):
        database = loaded["databases"][alias]
        assert "options" not in database["OPTIONS"]
        assert database["DISABLE_SERVER_SIDE_CURSORS"] is True
        assert "server_side_binding" not in database["OPTIONS"]
        assert "prepare_threshold" not in database["OPTIONS"]


def test_direct_connections_prepare_repeated_statements():
    # Given PostgreSQL without a pooler, with a replica
    loaded = database_settings(
        DATABASE_URL="postgres://app@primary:5432/dca", DATABASE_REPLICA_URLS="postgres://app@replica:5432/dca"
    )
    # Then parameters are bound on the server and psycopg prepares a statement after 5 runs, on the replica too
    for alias in ("default", "replica_0"):
        options = loaded["databases"][alias]["OPTIONS"]
        assert (options["server_side_binding"], options["prepare_threshold"]) == (True, 5)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        # PgBouncer >= 1.21 with max_prepared_statements: the operator turns them on
        ({"DATABASE_TRANSACTION_POOLING": "true", "DATABASE_PREPARED_STATEMENTS": "true"}, (True, 5)),
        ({"DATABASE_PREPARED_STATEMENTS": "true", "DATABASE_PREPARE_THRESHOLD": "0"}, (True, 0)),
        ({"DATABASE_PREPARED_STATEMENTS": "false"}, (None, None)),
    ],
)
def test_prepared_statements_follow_their_setting(env, expected):
    options = database_settings(DATABASE_URL="postgres://app@pgbouncer:6432/dca", **env)["databases"]["default"][
        "OPTIONS"
    ]
    assert (options.get("server_side_binding"), options.get("prepare_threshold")) == expected
