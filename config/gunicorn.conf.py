"""Gunicorn settings for production: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Tunable through the environment: PORT, WEB_CONCURRENCY (processes), GUNICORN_THREADS, GUNICORN_TIMEOUT,
GUNICORN_MAX_REQUESTS (requests before a worker is replaced), FORWARDED_ALLOW_IPS (the TLS proxy's address).
"""

import gc
import multiprocessing
import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104 - behind a proxy
# Django requests here are CPU-bound (15-25 ms of Python, ~1 ms of SQL): one process per core plus one, with
# threads to overlap database and gateway waits. The classic 2 x cores + 1 doubled the p95 tails on 2 cores
# (docs/performance.md, "WEB_CONCURRENCY" runs).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
# Threads let one process overlap database and gateway waits; Django is thread-safe per request.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak can never take a process down: every ~20,000 requests, about a
# minute of a busy worker. At 2,000 a worker on this benchmark's load was replaced every few seconds, and each new
# one paid its warm-up again (connections, compiled statements, verified tokens): 10-15 % of the CPU per request
# (docs/performance.md, "The physical limit").
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
# Import Django and every app once, in the master, and fork workers from it: a recycled worker then starts
# serving at once instead of spending ~0.8 s of CPU re-importing (a latency spike on a loaded box), and the
# workers share the imported code's memory pages. pre_fork below keeps the fork safe.
preload_app = True
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's largest bounded request line (default 4094): longer URLs get its HTML 414 before the API can
# answer in JSON, and a search of a few hundred non-ASCII characters, percent-encoded, already exceeds 4 KB.
limit_request_line = 8190
accesslog = "-"
errorlog = "-"
access_log_format = (
    '{"time":"%(t)s","remote":"%(h)s","method":"%(m)s","path":"%(U)s","status":%(s)s,'
    '"bytes":%(B)s,"duration_ms":%(M)s,"request_id":"%({x-request-id}o)s"}'
)


def pre_fork(server, worker):
    """Close every socket the master may have opened while loading the app before forking a worker from it.

    Importing the app opens no connection by itself, but one that something did open (a query at import
    time, a cache call) would be inherited by every worker, and two processes speaking on one socket corrupt
    each other's replies. Each worker opens its own on first use instead. Celery's broker connection is
    opened only when a task is queued, which happens in a worker's request, never in the master.

    Then everything the master holds (the imported app: about a million objects) moves to the garbage
    collector's permanent generation (``gc.freeze()``, as the ``gc`` docs advise before a fork): a worker's
    full collections no longer walk those objects, which never become garbage, nor write to their pages,
    which the worker then keeps sharing with the master. Without it, full collections over the inherited
    heap cost the workers a quarter to a third of their CPU per request (docs/performance.md, "The physical
    limit").
    """
    from django.core.cache import close_caches
    from django.db import connections

    connections.close_all()
    close_caches()
    gc.freeze()


def pre_request(worker, req):
    """Close the connection after a request whose body is over the limit: the app answers 413 without
    reading that body, and its bytes would otherwise be parsed as the next request on the connection.
    gunicorn drops the app's own ``Connection: close`` (a hop-by-hop header), hence this hook."""
    from common.middleware import declared_body_too_large  # the worker has loaded Django by now

    length = next((value for name, value in req.headers if name == "CONTENT-LENGTH"), None)
    if declared_body_too_large(length):
        req.must_close = True
