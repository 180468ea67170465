"""Real processes for the system tests and the ``scripts/`` drivers.

A throw-away PostgreSQL database, gunicorn servers and Celery workers started with production settings
(DEBUG off) on loopback, and the Razorpay fake (``tests/support/razorpay.py``) served over HTTP so purchases
work without the internet.
Every wait is bounded in time; every process started here is stopped by the context manager that started it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import redis
import requests

from tests.support import razorpay
from tests.support.razorpay import FakeRazorpay

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LOOPBACK = "127.0.0.1"
PG_SERVER_URL = os.environ.get("SYSTEM_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
REDIS_SERVER_URL = os.environ.get("SYSTEM_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")
PASSWORD = "Sy5tem-test-passw0rd!"
_SAFE_DB_NAME = re.compile(r"^[a-z0-9_]{1,60}$")


def _require_loopback(url: str) -> None:
    # These drivers create and drop databases and flush Redis databases: never anywhere but this machine.
    from urllib.parse import urlsplit

    if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"{url!r} is not a loopback address")


_require_loopback(PG_SERVER_URL)
_require_loopback(REDIS_SERVER_URL)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def services_available() -> bool:
    """PostgreSQL and Redis on loopback, and gunicorn/celery in the virtualenv."""
    try:
        with psycopg.connect(f"{PG_SERVER_URL}/postgres", connect_timeout=2):
            pass
        redis.Redis.from_url(f"{REDIS_SERVER_URL}/0", socket_connect_timeout=2).ping()
    except Exception:  # any connection error: the system tests are skipped
        return False
    return (BIN / "gunicorn").exists() and (BIN / "celery").exists()


@contextlib.contextmanager
def fresh_database(name: str, *, keep: bool = False) -> Iterator[str]:
    """An empty PostgreSQL database (dropped afterwards unless ``keep``); yields its DATABASE_URL."""
    if not _SAFE_DB_NAME.match(name):
        raise ValueError(f"unsafe database name {name!r}")

    def run(sql: str) -> None:
        with psycopg.connect(f"{PG_SERVER_URL}/postgres", autocommit=True) as conn:
            conn.execute(sql)

    run(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    run(f"CREATE DATABASE {name}")
    try:
        yield f"{PG_SERVER_URL}/{name}"
    finally:
        if not keep:
            run(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextlib.contextmanager
def seeded_database(name: str, *, redis_db: int, logs: Path, **extra: str) -> Iterator[tuple[dict, dict, str]]:
    """A fresh database, migrated, with the system tests' world (``tests/system/world.py``) built in it, and a
    flushed Redis database; yields the production env of processes using them, the world and the database URL."""
    with fresh_database(name) as database_url:
        flush_redis(redis_db)
        env = production_env(database_url=database_url, redis_db=redis_db, media_root=str(logs / "media"), **extra)
        prepare(env)
        world = run_python(env, "from tests.system.world import build_and_print\nbuild_and_print()")
        yield env, world, database_url


def flush_redis(db: int) -> str:
    """Empty one numbered Redis database (only that one) and return its URL."""
    url = f"{REDIS_SERVER_URL}/{db}"
    redis.Redis.from_url(url).flushdb()
    return url


def production_env(*, database_url: str, redis_db: int, media_root: str, broker: bool = True, **extra: str) -> dict:
    """Environment of a production-shaped process: DEBUG off, shared PostgreSQL, cache and broker on Redis."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST", "COV_"))}
    redis_url = f"{REDIS_SERVER_URL}/{redis_db}"
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        SECRET_KEY="system-test-" + "k" * 60,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # Plain HTTP on loopback: no TLS proxy in front of these processes.
        SECURE_SSL_REDIRECT="false",
        JWT_PRIVATE_KEY=(ROOT / "config" / "dev_jwt_private_key.pem").read_text(),
        JWT_ACCESS_TOKEN_LIFETIME="3600",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url if broker else "",
        MEDIA_ROOT=media_root,
        EMAIL_URL="dummymail://",
        ACCOUNT_EMAIL_VERIFICATION="optional",
        LOG_LEVEL="WARNING",
        # discard port: refused at once unless a stand-in runs
        **razorpay.process_env(api_base_url=f"http://{LOOPBACK}:9"),
        RAZORPAY_TIMEOUT_SECONDS="5",
        PYTHONUNBUFFERED="1",
    )
    env.update({key: str(value) for key, value in extra.items()})
    return env


def manage(env: dict, *args: str, timeout: float = 300) -> str:
    result = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def prepare(env: dict) -> None:
    """Migrate the database and collect static files (the manifest whitenoise serves with DEBUG off)."""
    manage(env, "migrate", "--noinput")
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        manage(env, "collectstatic", "--noinput", timeout=600)


def run_tool(argv: list[str], env: dict, *, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run a program of our own virtualenv in the project root; its exit status and output, for the caller."""
    return subprocess.run(  # noqa: S603 - our own virtualenv's programs with fixed arguments
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def run_python(env: dict, code: str, timeout: float = 300) -> dict:
    """Run ``code`` in a Django process (``django.setup()`` done); it prints one JSON object, returned here."""
    program = "import django, json\ndjango.setup()\n" + code
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", program], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"python failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, timeout: float = 20) -> None:
        if self.popen.poll() is not None:
            return
        # Only the process group we started (gunicorn/celery children included).
        os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)


def _spawn(name: str, argv: list[str], env: dict, log_dir: Path) -> Process:
    log_path = log_dir / f"{name}.log"
    handle = log_path.open("wb")
    popen = subprocess.Popen(  # noqa: S603 - binaries of our own virtualenv
        argv, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )
    handle.close()
    return Process(name=name, popen=popen, log_path=log_path)


def wait_healthy(base_url: str, process: Process, timeout: float = 60, status: int = 200) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} exited early:\n{process.log()[-4000:]}")
        try:
            if requests.get(f"{base_url}/api/health/", timeout=5).status_code == status:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{process.name} not healthy after {timeout}s:\n{process.log()[-4000:]}")


def get_when_ready(url: str, *, headers: dict, timeout: float) -> requests.Response:
    """GET ``url`` every half second until it answers 200 (a worker finished its job) or ``timeout`` passes;
    the last answer either way, for the caller to assert on."""
    deadline = time.monotonic() + timeout
    while True:
        response = requests.get(url, headers=headers, timeout=10)
        if response.status_code == 200 or time.monotonic() >= deadline:
            return response
        time.sleep(0.5)


@contextlib.contextmanager
def gunicorn(
    env: dict,
    log_dir: Path,
    *,
    name: str = "web",
    workers: int = 2,
    threads: int = 2,
    healthy_status: int = 200,
    started: dict[str, Process] | None = None,
) -> Iterator[str]:
    """A gunicorn server with the project's config on a free loopback port; yields its base URL.

    ``started`` (when given) receives the process under ``name``, for a drill that kills it."""
    port = free_port()
    process_env = {**env, "HOST": LOOPBACK, "PORT": str(port), "WEB_CONCURRENCY": str(workers)}
    process_env["GUNICORN_THREADS"] = str(threads)
    process = _spawn(
        name, [str(BIN / "gunicorn"), "-c", "config/gunicorn.conf.py", "config.wsgi"], process_env, log_dir
    )
    base_url = f"http://{LOOPBACK}:{port}"
    if started is not None:
        started[name] = process
    try:
        wait_healthy(base_url, process, status=healthy_status)
        yield base_url
    finally:
        process.stop()


@contextlib.contextmanager
def celery_worker(
    env: dict, log_dir: Path, *, name: str = "worker", concurrency: int = 1, queues: str = ""
) -> Iterator[Process]:
    """A real Celery worker on the Redis broker of ``env`` (no eager mode); waits until it answers a ping.

    ``queues`` ("pdf,email") limits it to those queues, as ``make worker QUEUES=...``; by default it consumes all.
    """
    argv = [
        str(BIN / "celery"),
        "-A",
        "config",
        "worker",
        "--loglevel=INFO",
        f"--concurrency={concurrency}",
        f"--hostname={name}@%h",
        "--without-gossip",
        "--without-mingle",
        *(["--queues", queues] if queues else []),
    ]
    process = _spawn(name, argv, env, log_dir)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.popen.poll() is not None:
                raise RuntimeError(f"{name} exited early:\n{process.log()[-4000:]}")
            if " ready." in process.log():
                break
            time.sleep(0.3)
        else:
            raise RuntimeError(f"{name} not ready after 60s:\n{process.log()[-4000:]}")
        yield process
    finally:
        process.stop(timeout=30)


def login(base_url: str, email: str, password: str = PASSWORD) -> str:
    """A real access token from allauth headless' app login."""
    response = requests.post(
        f"{base_url}/_allauth/app/v1/auth/login", json={"email": email, "password": password}, timeout=10
    )
    if response.status_code != 200:
        raise RuntimeError(f"login {email}: {response.status_code} {response.text[:500]}")
    return response.json()["meta"]["access_token"]


# --- Razorpay stand-in ------------------------------------------------------------------------------


@contextlib.contextmanager
def fake_razorpay() -> Iterator[FakeRazorpay]:
    """``tests.support.razorpay.FakeRazorpay`` served on loopback, for the processes started here."""
    with FakeRazorpay().serve(LOOPBACK) as fake:
        yield fake


def signed_webhook(base_url: str, event: dict, *, event_id: str | None = None) -> requests.Response:
    body = json.dumps(event).encode()
    headers = razorpay.webhook_headers(body, event_id=event_id)
    return requests.post(f"{base_url}{razorpay.WEBHOOK_PATH}", data=body, headers=headers, timeout=15)


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def log_dir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"dca-{prefix}-"))
