"""CPU per request of the personal reads (or any route of bench/limit.py), in-process, with the environment's settings.

Run with the benchmark's environment and seeded database (``bench/setup.sh`` exports both)::

    bash -c 'source bench/setup.sh && $PY bench/personal_cpu.py'            # median CPU ms per route
    bash -c 'source bench/setup.sh && $PY bench/personal_cpu.py --profile'  # and cProfile's top items

Signs the learner of ``bench/limit.py`` in through allauth, then calls the servers' WSGI application directly
(every middleware, no server, no socket) with its Bearer token: a warm-up, then ``--batches`` batches of ``--requests``
requests per route, timed with ``time.process_time``; prints the median (min–max) CPU ms per request. Every
answer must be 200, and the SHA-256 of each body is printed so two runs (before and after a change) can be
compared byte for byte. Queries run against the database of ``DATABASE_URL``, so their server time is not
in the figure but their client-side work (psycopg, the ORM) is.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench.limit import ANONYMOUS, PASSWORD, PERSONAL_ROUTES, learner, routes_of  # noqa: E402 - after the path
from bench.plans import report as replanned_report  # noqa: E402 - after the path
from bench.wsgi import wsgi_call  # noqa: E402 - after the path

HOST = "127.0.0.1"
# The default: the personal reads. Any other label of bench/limit.py's routes may be named (anonymous ones are
# called without the token).
DEFAULT_ROUTES = ("my enrollments", *PERSONAL_ROUTES)


def call(application, path: str, *, token: str = "", body: dict | None = None) -> tuple[int, bytes]:
    """GET ``path`` (POST ``body`` as JSON), with the learner's Bearer token when given."""
    return wsgi_call(
        application,
        "GET" if body is None else "POST",
        path,
        host=HOST,
        body=b"" if body is None else json.dumps(body).encode(),
        content_type="" if body is None else "application/json",
        headers={"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else None,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per batch")
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print cProfile's top cumulative items per route")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument(
        "--profile-dir", default="", help="with --profile, also write each route's cProfile stats there"
    )
    parser.add_argument(
        "routes", nargs="*", help=f"labels of bench/limit.py's routes (default: {', '.join(DEFAULT_ROUTES)})"
    )
    args = parser.parse_args()

    import django

    django.setup(set_prefix=False)
    from common.handlers import RouteOnceWSGIHandler  # the servers' handler (config/wsgi.py)

    application = RouteOnceWSGIHandler()

    email = learner()
    status, content = call(application, "/_allauth/app/v1/auth/login", body={"email": email, "password": PASSWORD})
    if status != 200:
        raise SystemExit(f"signing {email} in failed: {status} {content[:300]!r}")
    print(f"signed in as {email}")
    signed_in = json.loads(content)["meta"]["access_token"]
    status, content = call(application, "/api/enrollments/?page_size=100", token=signed_in)
    active = [e for e in json.loads(content)["results"] if e["status"] == "active"] if status == 200 else []
    if not active:
        raise SystemExit(f"{email} has no active enrollment: is the scale data seeded?")
    routes = routes_of(active[0]["course"])
    unknown = set(args.routes) - set(routes)
    if unknown:
        raise SystemExit(f"unknown routes {sorted(unknown)}: labels are {', '.join(routes)}")

    for label in args.routes or DEFAULT_ROUTES:
        path = routes[label]
        token = "" if label.endswith(ANONYMOUS) else signed_in
        for _ in range(20):  # warm-up: imports, prepared caches, the session in the cache
            status, content = call(application, path, token=token)
            if status != 200:
                raise SystemExit(f"{label} {path}: {status} {content[:300]!r}")
        digest = hashlib.sha256(content).hexdigest()[:16]
        per_request = []
        for _ in range(args.batches):
            started = time.process_time()
            for _ in range(args.requests):
                call(application, path, token=token)
            per_request.append((time.process_time() - started) * 1000 / args.requests)
        spread = f"{min(per_request):.2f}–{max(per_request):.2f}"
        print(
            f"{label:16} {path:28} {statistics.median(per_request):6.2f} ms CPU/request ({spread}), "
            f"{len(content):,} bytes, sha256 {digest}"
        )
        if args.profile:
            profiler = cProfile.Profile(time.process_time)  # CPU, not waiting on the database
            profiler.enable()
            for _ in range(args.requests):
                call(application, path, token=token)
            profiler.disable()
            stats = pstats.Stats(profiler, stream=sys.stdout)
            stats.sort_stats("cumulative").print_stats(args.top)
            if args.profile_dir:
                Path(args.profile_dir).mkdir(parents=True, exist_ok=True)
                stats.dump_stats(str(Path(args.profile_dir) / f"{label.replace(' ', '_')}.prof"))

    from django.db import connection

    print(replanned_report(connection))


if __name__ == "__main__":
    main()
