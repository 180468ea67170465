"""Writes: CPU and round trips per request (issue #18, item 4). Run by ``make bench-writes``.

In-process, with production-like settings (DEBUG off, the real middleware, Redis as cache and Celery broker,
rate limits off) and a learner signed in through allauth with a real Bearer token, this script

1. creates the PostgreSQL database ``BENCH_WRITES_DATABASE_URL`` if needed and migrates it;
2. builds a fresh world through the project's services (``tests.support.world``): a course whose every
   lesson and every module quiz is a first-time write, a forum, and one open Razorpay order per webhook;
3. runs each write ``--batches`` × ``--batch`` times after ``--warmup`` requests through the servers' WSGI
   application (``config.wsgi``, as gunicorn calls it), timing every request with ``time.process_time`` (CPU
   of this process: the middleware, the view, the ORM, the driver; not PostgreSQL's own time);
4. prints per route the median over batches of the mean CPU ms per request, and the exact SQL statements of
   the first and the last request (untimed, under ``CaptureQueriesContext``, which is what the query-count
   pins use: SAVEPOINT/RELEASE and BEGIN/COMMIT included).

Each measured request is a first-time write of its kind (a lesson never completed, a module quiz never
passed, an order never paid), the path a learner takes once per item, so the counts are those of the work
done rather than of an idempotent no-op. The machine is shared: compare runs made minutes apart.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import secrets
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench.plans import report as replanned_report  # noqa: E402 - after the path
from bench.wsgi import wsgi_call  # noqa: E402 - after the path

ENVIRONMENT = {
    "DATABASE_URL": os.environ.get("BENCH_WRITES_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dca_writes_bench"),
    "REDIS_URL": os.environ.get("BENCH_WRITES_REDIS_URL", "redis://127.0.0.1:6379/5"),
    "CELERY_BROKER_URL": os.environ.get("BENCH_WRITES_REDIS_URL", "redis://127.0.0.1:6379/5"),
    "DEBUG": "false",
    "SECRET_KEY": "bench-writes-" + secrets.token_urlsafe(48),
    "ALLOWED_HOSTS": "testserver,127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
    "RATELIMIT_ENABLE": "false",
    "QUIZ_ATTEMPTS_PER_DAY": "100000",
    "LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}
PASSWORD = "bench-writes-password-1"  # a throw-away learner of the benchmark database


def _configure() -> None:
    for name, value in ENVIRONMENT.items():
        os.environ[name] = value
    os.environ.setdefault("JWT_PRIVATE_KEY", (ROOT / "config" / "dev_jwt_private_key.pem").read_text())


class Answer:
    def __init__(self, status_code: int, content: bytes) -> None:
        self.status_code, self.content = status_code, content

    def json(self):
        return json.loads(self.content)


class ServerClient:
    """POSTs through the servers' own WSGI handler (``config.wsgi``'s, which gunicorn runs: every
    middleware), not Django's test ``Client``, whose own work (signals connected per request, the request
    factory, a second URL resolution) is no part of a served request."""

    def __init__(self) -> None:
        from common.handlers import RouteOnceWSGIHandler  # the servers' handler (config/wsgi.py)

        self.application = RouteOnceWSGIHandler()

    def post(self, path: str, data=None, *, content_type: str = "application/json", **headers: str) -> Answer:
        body = data if isinstance(data, bytes) else b"" if data is None else json.dumps(data).encode()
        return Answer(
            *wsgi_call(
                self.application, "POST", path, host="testserver", body=body, content_type=content_type, headers=headers
            )
        )


def _short(sql: str, width: int = 150) -> str:
    sql = " ".join(sql.split())
    return sql if len(sql) <= width else sql[: width - 1] + "…"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--batch", type=int, default=20, help="requests per batch")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--only", default="", help="comma-separated route keys (lesson,post,webhook,quiz,submit)")
    parser.add_argument("--quiet", action="store_true", help="counts only, not every statement")
    parser.add_argument("--profile", action="store_true", help="cProfile the timed requests: top functions per route")
    parser.add_argument(
        "--profile-dir", default="", help="with --profile, also write each route's cProfile stats there"
    )
    args = parser.parse_args()
    _configure()

    from database import create

    create(os.environ["DATABASE_URL"])

    import django

    django.setup()
    run(args)


def run(args: argparse.Namespace) -> None:
    import psycopg
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalog import services as catalog
    from catalog.models import Domain
    from tests.support import razorpay
    from tests.support.world import course_build, payment_make, verified_user

    call_command("migrate", verbosity=0)
    from django.conf import settings

    razorpay.use_test_keys(settings)
    per_route = args.warmup + args.batches * args.batch + 2  # + the first and last, captured
    tag = uuid.uuid4().hex[:8]

    # --- the world -------------------------------------------------------------------------------------
    admin = verified_user(f"admin-{tag}@bench.example.com", role="admin", full_name="Bench Admin", password=None)
    instructor = verified_user(
        f"teacher-{tag}@bench.example.com", role="instructor", full_name="Bench Teacher", password=None
    )
    learner = verified_user(
        f"learner-{tag}@bench.example.com", role="student", full_name="Bench Learner", password=PASSWORD
    )
    domain, _ = Domain.objects.get_or_create(slug="bench-writes", defaults={"name": "Bench writes"})
    # One module of many lessons (its quiz unpassed, so no completion), and many one-question modules.
    lessons = course_build(
        instructor=instructor, admin=admin, domain=domain, title=f"Lessons {tag}", lessons=per_route, quizzes=1
    )
    quizzes = course_build(
        instructor=instructor,
        admin=admin,
        domain=domain,
        title=f"Quizzes {tag}",
        modules=2 * per_route,
        lessons=1,
        quizzes=1,
    )
    paid = course_build(instructor=instructor, admin=admin, domain=domain, title=f"Paid {tag}", price="499.00")
    for built in (lessons, quizzes):
        catalog.enrollment_grant(user=learner, course=built.course, source="free")
    buyers = [
        verified_user(f"buyer{n}-{tag}@bench.example.com", role="student", full_name=f"Buyer {n}", password=None)
        for n in range(per_route)
    ]
    orders = [payment_make(user=buyer, course=paid.course, status="created") for buyer in buyers]

    api = ServerClient()
    bearer: dict[str, str] = {}

    def sign_in() -> None:
        # Once per route: an access token lives minutes, and a route's run may outlast one on a busy machine.
        login = api.post(
            "/_allauth/app/v1/auth/login",
            {"email": learner.email, "password": PASSWORD},
        )
        assert login.status_code == 200, login.content
        bearer["HTTP_AUTHORIZATION"] = f"Bearer {login.json()['meta']['access_token']}"

    def lesson_complete(i: int):
        return api.post(f"/api/lessons/{lessons.lessons[i].pk}/complete/", **bearer), 200

    def post_create(i: int):
        body = {"course": str(lessons.course.pk), "title": f"Question {i}", "body": "How does this work?"}
        return api.post("/api/forum/posts/", body, **bearer), 201

    def webhook(i: int):
        order = orders[i]
        entity = {
            "id": f"pay_{tag}{i}",
            "entity": "payment",
            "order_id": order.razorpay_order_id,
            "amount": order.amount,
            "currency": order.currency,
            "status": "captured",
        }
        body = razorpay.event_body("payment.captured", payment=entity)
        return razorpay.post_webhook(api, body, event_id=f"evt_{tag}_{i}"), 200

    def quiz_one_call(i: int):
        quiz = quizzes.quizzes[i]
        body = {"answers": [{"quiz": str(quiz.pk), "selected_option": 0}]}
        return api.post(f"/api/modules/{quiz.module_id}/quiz-attempts/", body, **bearer), 201

    def attempt_start(i: int) -> str:
        module = quizzes.modules[per_route + i]
        response = api.post(f"/api/modules/{module.pk}/quiz-attempts/start/", **bearer)
        assert response.status_code == 201, response.content
        return response.json()

    def attempt_submit(i: int, started):
        question = started["questions"][0]
        body = {"answers": [{"quiz": question["id"], "selected_options": [question["options"].index("right")]}]}
        return api.post(f"/api/quiz-attempts/{started['id']}/submit/", body, **bearer), 200

    routes: list[tuple[str, str, Callable, Callable | None]] = [
        ("lesson", "POST /api/lessons/{id}/complete/", lesson_complete, None),
        ("post", "POST /api/forum/posts/", post_create, None),
        ("webhook", "POST /api/payments/webhook/ (payment.captured)", webhook, None),
        ("quiz", "POST /api/modules/{id}/quiz-attempts/ (one call, first pass)", quiz_one_call, None),
        ("submit", "POST /api/quiz-attempts/{id}/submit/ (first pass)", attempt_submit, attempt_start),
    ]
    only = {key for key in args.only.split(",") if key}
    results = []
    for key, label, call, prepare in routes:
        if only and key not in only:
            continue
        sign_in()
        batch_means: list[list[float]] = []
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        captured: list[list[str]] = []
        for i in range(per_route):
            prepared = prepare(i) if prepare else None
            if i in (args.warmup, per_route - 1):
                with CaptureQueriesContext(connection) as context:
                    response, expected = call(i, prepared) if prepare else call(i)
                captured.append([query["sql"] for query in context.captured_queries])
            else:
                if profiler and i > args.warmup:
                    profiler.enable()
                started = time.process_time()
                response, expected = call(i, prepared) if prepare else call(i)
                elapsed = time.process_time() - started
                if profiler:
                    profiler.disable()
                if i > args.warmup:
                    n = i - args.warmup - 1
                    if n % args.batch == 0:
                        batch_means.append([])
                    batch_means[-1].append(elapsed * 1000)
            assert response.status_code == expected, (label, response.status_code, response.content)
        means = [statistics.mean(batch) for batch in batch_means]
        counts = [len(sql) for sql in captured]
        shown = captured[0]
        if profiler:
            print(f"\n--- {label}: cumulative time of the timed requests (CPU, profiled: slower than unprofiled)")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
            if args.profile_dir:
                Path(args.profile_dir).mkdir(parents=True, exist_ok=True)
                profiler.dump_stats(
                    str(Path(args.profile_dir) / f"{label.split()[1].strip('/').replace('/', '_')}.prof")
                )
        results.append((label, statistics.median(means), min(means), max(means), counts, shown))

    from celery import current_app

    current_app.control.purge()  # the tasks these writes queued (receipts, PDFs): no worker runs them here

    print(f"\nWrites: CPU and round trips ({args.batches} batches x {args.batch} requests, {args.warmup} warm-up)")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; psycopg {psycopg.__version__}\n")
    print("| route | CPU ms / request (median of batches) | batch range | statements / request |")
    print("|---|---:|---:|---:|")
    for label, median, low, high, counts, _ in results:
        spread = f"{counts[0]}" if counts[0] == counts[-1] else f"{counts[0]} (first), {counts[-1]} (last)"
        print(f"| `{label}` | {median:.1f} | {low:.1f}–{high:.1f} | {spread} |")
    print(f"\n{replanned_report(connection)}")
    if not args.quiet:
        for label, *_, shown in results:
            print(f"\n{label}: {len(shown)} statements")
            for n, sql in enumerate(shown, 1):
                print(f"  {n:2}. {_short(sql)}")


if __name__ == "__main__":
    main()
