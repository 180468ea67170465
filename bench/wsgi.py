"""One request through a WSGI application in this process, as gunicorn hands it over: the benchmarks that time
the servers' own handler (``bench/personal_cpu.py``, ``bench/writes.py``) without a server or a socket."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Mapping


def wsgi_call(
    application: Callable,
    method: str,
    path: str,
    *,
    host: str,
    body: bytes = b"",
    content_type: str = "",
    headers: Mapping[str, str] | None = None,
) -> tuple[int, bytes]:
    """``(status code, body)`` of ``method path`` (a query string after ``?``); ``headers`` as WSGI keys
    (``HTTP_AUTHORIZATION``), ``Accept: application/json`` unless one is given."""
    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": host,
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": host,
        "HTTP_ACCEPT": "application/json",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        **(headers or {}),
    }
    if body or content_type:
        environ["CONTENT_TYPE"] = content_type
        environ["CONTENT_LENGTH"] = str(len(body))
    status: list[str] = []
    chunks = application(environ, lambda line, response_headers, exc_info=None: status.append(line))
    try:
        content = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return int(status[0].split()[0]), content
