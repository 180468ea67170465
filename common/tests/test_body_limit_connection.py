"""A 413 for an oversized body closes the connection: the unread body must never be parsed as a request."""

from __future__ import annotations

import os
import runpy
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings

GUNICORN_CONF = Path(settings.BASE_DIR) / "config" / "gunicorn.conf.py"


def _oversized_post_headers(path: str = "/api/payments/order/") -> bytes:
    length = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    return (
        f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


def _read_head(sock: socket.socket) -> tuple[str, bytes]:
    """The response's status line and headers, and whatever of the body came with them."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head.decode("latin-1"), body


def _read_until_closed(sock: socket.socket) -> bytes:
    rest = b""
    while chunk := sock.recv(65536):
        rest += chunk
    return rest


@pytest.mark.django_db
def test_the_413_answer_is_json_without_a_hop_by_hop_header(api_client):
    # When a client declares a body over the limit
    response = api_client.generic(
        "POST",
        "/api/payments/order/",
        data="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
        content_type="application/json",
    )

    # Then the JSON 413 carries no Connection header: WSGI servers refuse or drop it (the server closes)
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert not response.has_header("Connection")


@pytest.mark.parametrize(
    ("extra", "must_close"), [(1, True), (0, False), (-100, False)], ids=["over", "at-limit", "under"]
)
def test_gunicorn_marks_requests_over_the_limit_for_closing(extra, must_close):
    # Given gunicorn's configuration, whose pre_request hook sees the request before the app does
    hooks = runpy.run_path(str(GUNICORN_CONF))
    request = SimpleNamespace(
        headers=[("HOST", "localhost"), ("CONTENT-LENGTH", str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + extra))],
        must_close=False,
    )

    # When it runs
    hooks["pre_request"](SimpleNamespace(), request)

    # Then only a body over the limit closes the connection after the answer (gunicorn's own flag)
    assert request.must_close is must_close


def test_gunicorn_hook_ignores_requests_without_or_with_a_garbled_length():
    hooks = runpy.run_path(str(GUNICORN_CONF))
    for headers in ([("HOST", "localhost")], [("CONTENT-LENGTH", "lots")]):
        request = SimpleNamespace(headers=headers, must_close=False)
        hooks["pre_request"](SimpleNamespace(), request)
        assert request.must_close is False


@pytest.fixture(scope="module")
def gunicorn_server(tmp_path_factory):
    """gunicorn with the production configuration file (one worker) on a free loopback port."""
    binary = Path(sys.executable).parent / "gunicorn"
    if not binary.exists():
        pytest.skip("gunicorn is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "COV_"))}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", WEB_CONCURRENCY="1", GUNICORN_THREADS="2")
    log_path = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    log = log_path.open("wb")
    process = subprocess.Popen(  # noqa: S603 - the virtualenv's gunicorn with fixed arguments
        [str(binary), "-c", str(GUNICORN_CONF), "-b", f"127.0.0.1:{port}", "config.wsgi"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start:\n{log_path.read_text()[-3000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def test_over_a_real_socket_gunicorn_closes_after_the_413(gunicorn_server):
    # Given a kept-alive HTTP/1.1 connection to gunicorn
    with socket.create_connection(("127.0.0.1", gunicorn_server), timeout=10) as sock:
        # When the client sends the headers of an oversized POST (and not the body)
        sock.sendall(_oversized_post_headers())
        head, body = _read_head(sock)

        # Then it gets the 413 with Connection: close on the wire ...
        assert head.startswith("HTTP/1.1 413")
        assert "\r\nconnection: close" in head.lower()
        # ... and the server closes the connection after the JSON body, instead of waiting for the body and
        # then reading the client's next request as part of it
        body += _read_until_closed(sock)
        assert b'"code": "payload_too_large"' in body


def test_over_a_real_socket_gunicorn_keeps_ordinary_connections_alive(gunicorn_server):
    # Control: the same server keeps a connection open after an ordinary answer
    with socket.create_connection(("127.0.0.1", gunicorn_server), timeout=10) as sock:
        sock.sendall(b"GET /api/nowhere/ HTTP/1.1\r\nHost: localhost\r\n\r\n")
        head, _ = _read_head(sock)
        assert head.startswith("HTTP/1.1 404")
        assert "\r\nconnection: keep-alive" in head.lower()
