"""Scale-out drill on the production shape: two gunicorn servers and two Celery workers split by queue, on a
PostgreSQL primary and a streaming replica behind PgBouncer (transaction pooling), certificate PDFs in a
private bucket on a local S3 API server (moto), one Redis.

Every component is a real server started here (scripts/pg_cluster.py, scripts/s3_server.py). Drives concurrent
purchases (order + verify + webhooks, double-clicked on both servers), enrollments, lesson completions, quiz
passes and forum votes through both servers, waits for the PDF worker to render the certificates, downloads
every PDF from every server, then checks: no duplicate enrollments, payments, certificates, XP awards or
votes, every expected row present exactly once (each paid purchase with one tax invoice, numbered without
gaps, its GST parts adding up to the amount paid), and the leaderboards (roll-ups and the API on both servers,
read from the replica) equal to the XP ledger. Razorpay is a stand-in HTTP server on loopback. Prints a short
report: counts, p95 per route, the replica's share of table reads. Every loop is bounded in count and time.

    .venv/bin/python -m scripts.scale_out [--students 8] [--timeout 300]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import cycle

import psycopg
import redis
import requests

from scripts.pg_cluster import Cluster, pgbouncer, pool, streaming_cluster
from scripts.processes import stop_process_group
from scripts.s3_server import s3_server
from tests.system import harness

CHECKS = r"""
from collections import Counter
from django.db.models import Count, Sum
from accounts.models import User
from billing.models import Payment, TaxDocument
from catalog.models import Enrollment
from certificates.models import Certificate
from forum.models import Post, Vote
from gamification.models import XPEvent
from gamification.services import leaderboards_rebuild

emails = EMAILS
users = {u.email: u for u in User.objects.filter(email__in=emails)}
def per_user(qs):
    counts = Counter(qs.values_list("user__email", flat=True))
    return {email: counts.get(email, 0) for email in emails}
dupes = lambda qs, *fields: qs.values(*fields).annotate(n=Count("pk")).filter(n__gt=1).count()
post = Post.objects.get(pk=POST)
drift = leaderboards_rebuild(fix=False)
invoices = TaxDocument.objects.filter(kind="invoice")
series = {}
for number in TaxDocument.objects.values_list("number", flat=True):
    prefix, _, sequence = number.rpartition("/")
    series.setdefault(prefix, []).append(int(sequence))
out = {
    "enrollments_free": per_user(Enrollment.objects.filter(course_id=FREE, status="active")),
    "enrollments_paid": per_user(Enrollment.objects.filter(course_id=PAID, status="active")),
    "enrollment_duplicates": dupes(Enrollment.objects.all(), "user", "course"),
    "payments_paid": per_user(Payment.objects.filter(course_id=PAID, status="paid")),
    "payments_owned_duplicates": dupes(Payment.objects.filter(status__in=Payment.OWNED), "user", "course"),
    "payments_failed_or_refunding": Payment.objects.exclude(status__in=["paid", "created"]).count(),
    "invoices": per_user(Payment.objects.filter(course_id=PAID, tax_documents__kind="invoice")),
    # Gap-free numbering: each series (per kind and financial year) is exactly 1..n.
    "invoice_number_gaps": sum(sorted(numbers) != list(range(1, len(numbers) + 1)) for numbers in series.values()),
    "invoices_not_adding_up": sum(
        d.taxable_value + d.cgst + d.sgst + d.igst != d.total or d.total != d.payment.amount
        for d in invoices.select_related("payment")
    ),
    "certificates": per_user(Certificate.objects.filter(course_id=FREE)),
    "certificates_rendered": per_user(Certificate.objects.filter(course_id=FREE).exclude(file="")),
    "certificate_duplicates": dupes(Certificate.objects.all(), "user", "course"),
    "xp_lesson": per_user(XPEvent.objects.filter(type="lesson_complete")),
    "xp_quiz": per_user(XPEvent.objects.filter(type="quiz_pass")),
    "xp_course": per_user(XPEvent.objects.filter(type="course_complete")),
    "xp_duplicates": dupes(XPEvent.objects.all(), "user", "type", "source_id"),
    "ledger": {
        str(row["user_id"]): row["total"]
        for row in XPEvent.objects.values("user_id").annotate(total=Sum("points")).order_by()
    },
    "votes_rows": Vote.objects.filter(post=post).exclude(value=0).count(),
    "votes_sum": sum(Vote.objects.filter(post=post).values_list("value", flat=True)),
    "votes_score": post.votes,
    "vote_duplicates": dupes(Vote.objects.all(), "user", "post"),
    "rollup_drift": drift.count,
}
print(json.dumps(out))
"""


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_timings: dict[str, list[float]] = defaultdict(list)
_timings_lock = threading.Lock()
# Failed answers (5xx, or no answer at all) counted under the fault in progress ("" = none).
_fault = {"name": ""}
_errors: dict[str, Counter] = defaultdict(Counter)


def _timed(method: str, url: str, **kwargs) -> requests.Response:
    started = time.monotonic()
    try:
        response = requests.request(method, url, timeout=30, **kwargs)
    except requests.RequestException:
        with _timings_lock:
            _errors[_fault["name"]]["no_answer"] += 1
        raise
    route = f"{method} " + _UUID.sub("{id}", url.split("//", 1)[-1].split("/", 1)[-1].split("?", 1)[0])
    with _timings_lock:
        _timings[route].append(time.monotonic() - started)
        if response.status_code >= 500:
            _errors[_fault["name"]][str(response.status_code)] += 1
    return response


def _post(base: str, path: str, token: str, body: dict | None = None) -> requests.Response:
    return _timed("POST", f"{base}{path}", json=body or {}, headers=harness.auth(token))


def _get(base: str, path: str, token: str | None = None) -> requests.Response:
    return _timed("GET", f"{base}{path}", headers=harness.auth(token) if token else {})


def p95_per_route() -> dict[str, dict]:
    """Requests and the 95th-percentile latency (ms) of each route the drill called."""
    report = {}
    for route, seconds in sorted(_timings.items()):
        ordered = sorted(seconds)
        report[route] = {"n": len(ordered), "p95_ms": round(ordered[math.ceil(0.95 * len(ordered)) - 1] * 1000)}
    return report


def table_reads(url: str) -> int:
    """Sequential plus index scans of the app's tables, as this server's statistics count them."""
    with psycopg.connect(url, autocommit=True) as conn:
        query = "SELECT coalesce(sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)), 0) FROM pg_stat_user_tables"
        return int(conn.execute(query).fetchone()[0])


class PrivateRedis:
    """A Redis server of the drill's own on a free port (so killing it harms nobody else); restartable."""

    def __init__(self, log_dir):
        with socket.socket() as sock:
            sock.bind((harness.LOOPBACK, 0))
            self.port = sock.getsockname()[1]
        self.log_dir = log_dir
        self.process: subprocess.Popen | None = None
        self.url = f"redis://{harness.LOOPBACK}:{self.port}/0"

    def start(self) -> None:
        argv = ["redis-server", "--bind", harness.LOOPBACK, "--port", str(self.port), "--save", ""]
        argv += ["--appendonly", "no"]  # like a broker whose messages die with it
        with (self.log_dir / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - Debian's redis-server, fixed arguments
                argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 20
        while not self.answers():
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.1)

    def answers(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None:
            stop_process_group(self.process)


@dataclass
class Topology:
    cluster: Cluster
    database: str
    web_env: dict
    worker_env: dict
    direct_env: dict  # straight to the primary: the release step and the final checks
    redis: PrivateRedis

    def reads(self) -> tuple[int, int]:
        primary, replica = self.cluster.primary_url(self.database), self.cluster.replica_url(self.database)
        return table_reads(primary), table_reads(replica)


@contextlib.contextmanager
def production_topology(*, logs, **extra_env: str) -> Iterator[Topology]:
    """Primary + streaming replica behind PgBouncer, a private bucket on a local S3 server, a Redis of its own.

    Web processes use the pooled `dca` (web deadlines) and `dca_replica`; workers the pooled `dca_long` (long
    deadlines): each pool's deadlines come from its connect_query, as in docs/operations.md.
    """
    database = "dca"
    stack = contextlib.ExitStack()
    with streaming_cluster() as cluster, s3_server(bucket="dca-drill", log_path=logs / "moto.log") as storage:
        with psycopg.connect(cluster.primary_url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {database}")
        pools = {
            database: pool(port=cluster.primary_port, dbname=database, deadlines_ms=(15000, 5000)),
            f"{database}_long": pool(port=cluster.primary_port, dbname=database, deadlines_ms=(300000, 60000)),
            f"{database}_replica": pool(port=cluster.replica_port, dbname=database, deadlines_ms=(15000, 5000)),
        }
        private_redis = PrivateRedis(logs)
        private_redis.start()
        try:
            port = stack.enter_context(pgbouncer(databases=pools, pool_size=8))
            pooled = f"postgres://postgres@{harness.LOOPBACK}:{port}/{database}"
            redis_urls = {"REDIS_URL": private_redis.url, "CELERY_BROKER_URL": private_redis.url}
            common = {"redis_db": 0, "media_root": str(logs / "media"), **storage, **extra_env, **redis_urls}
            web_env = harness.production_env(
                database_url=pooled,
                DATABASE_REPLICA_URLS=f"{pooled}_replica",
                DATABASE_TRANSACTION_POOLING="true",
                **common,
            )
            worker_env = {**web_env, "DATABASE_URL": f"{pooled}_long"}
            direct_env = harness.production_env(database_url=cluster.primary_url(database), **common)
            yield Topology(cluster, database, web_env, worker_env, direct_env, private_redis)
        finally:
            stack.close()
            private_redis.stop()


def _both(pool: ThreadPoolExecutor, servers: list[str], call, *args) -> list[requests.Response]:
    """The same request sent to both servers at once (a double click landing on two replicas)."""
    futures = [pool.submit(call, server, *args) for server in servers]
    return [future.result(timeout=60) for future in futures]


def purchase(pool, servers, rzp: harness.FakeRazorpay, token: str, course: str) -> list[int]:
    orders = _both(pool, servers, _post, "/api/payments/order/", token, {"course": course})
    statuses = [response.status_code for response in orders]
    assert all(status in (200, 201) for status in statuses), [r.text for r in orders]
    order_ids = {response.json()["order_id"] for response in orders}
    assert len(order_ids) == 1, f"two orders for one double click: {order_ids}"
    order_id = order_ids.pop()
    payment = rzp.pay(order_id)
    verify = {
        "razorpay_order_id": order_id,
        "razorpay_payment_id": payment["id"],
        "razorpay_signature": rzp.checkout_signature(order_id, payment["id"]),
    }
    captured = {"event": "payment.captured", "payload": {"payment": {"entity": payment}}}
    paid = {"event": "order.paid", "payload": {"payment": {"entity": payment}, "order": {"entity": {"id": order_id}}}}
    event_id = f"evt_{uuid.uuid4().hex[:14]}"
    a, b = servers
    futures = [
        pool.submit(_post, a, "/api/payments/verify/", token, verify),
        pool.submit(_post, b, "/api/payments/verify/", token, verify),
        pool.submit(harness.signed_webhook, a, captured, event_id=event_id),
        pool.submit(harness.signed_webhook, b, captured, event_id=event_id),  # Razorpay's redelivery
        pool.submit(harness.signed_webhook, b, paid),
    ]
    results = [future.result(timeout=60) for future in futures]
    assert all(r.status_code == 200 for r in results), [(r.status_code, r.text[:200]) for r in results]
    return statuses


def learn(pool, servers, token: str, course: str, curriculum: dict, quizzes: dict[str, list[str]]) -> None:
    enroll = _both(pool, servers, _post, f"/api/courses/{course}/enroll/", token)
    assert sorted(r.status_code for r in enroll) in ([201, 409], [409, 409]), [r.text for r in enroll]
    for module in curriculum["modules"]:
        for lesson in module["lessons"]:
            done = _both(pool, servers, _post, f"/api/lessons/{lesson['id']}/complete/", token)
            assert all(r.status_code == 200 for r in done), [r.text for r in done]
        answers = {"answers": [{"quiz": quiz, "selected_option": 0} for quiz in quizzes[module["id"]]]}
        passed = _both(pool, servers, _post, f"/api/modules/{module['id']}/quiz-attempts/", token, answers)
        assert all(r.status_code == 201 and r.json()["passed"] for r in passed), [r.text for r in passed]


def vote(pool, servers, token: str, post: str) -> None:
    votes = _both(pool, servers, _post, f"/api/forum/posts/{post}/vote/", token, {"value": 1})
    assert all(r.status_code == 200 and r.json()["my_vote"] == 1 for r in votes), [r.text for r in votes]


def wait_for_certificates(servers, tokens: list[str], deadline: float) -> int:
    """Poll until every learner's certificate PDF has been rendered by a worker and downloads."""
    pending = list(tokens)
    server = cycle(servers)
    while pending and time.monotonic() < deadline:
        token = pending[0]
        listing = _get(next(server), "/api/certificates/", token).json().get("results", [])
        ready = [c for c in listing if c.get("file_ready")]
        if ready:
            pdf = _get(next(server), f"/api/certificates/{ready[0]['id']}/download/", token)
            if pdf.status_code == 200 and pdf.content.startswith(b"%PDF"):
                pending.pop(0)
                continue
        time.sleep(0.5)
    return len(pending)


def downloads_failing(servers, tokens: list[str]) -> int:
    """Every learner's PDFs fetched from every server (the bucket is the only copy): how many failed."""
    failed = 0
    for token in tokens:
        for certificate in _get(servers[0], "/api/certificates/", token).json().get("results", []):
            for server in servers:
                pdf = _get(server, f"/api/certificates/{certificate['id']}/download/", token)
                failed += not (pdf.status_code == 200 and pdf.content.startswith(b"%PDF"))
    return failed


def run(*, students: int = 8, timeout: float = 300, faults: bool = True) -> dict:
    """Phase 1: ``students`` learners, everything doubled over both servers. Phase 2 (``faults``): one more
    learner per fault, each started as its fault is injected and retrying whatever failed, while PostgreSQL
    restarts, Redis dies, the PDF worker and a web process are killed mid-work and a hot table is locked."""
    started = time.monotonic()
    deadline = started + timeout
    logs = harness.log_dir("scaleout")
    _timings.clear()
    _errors.clear()
    extra = len(FAULTS) if faults else 0
    with (
        harness.fake_razorpay() as rzp,
        production_topology(
            logs=logs,
            RAZORPAY_API_BASE_URL=rzp.base_url,
            ACCOUNTS_RATE_LOGIN_IP="1000/h",
            # Renders lost with Redis come back within seconds in the drill (two minutes by default).
            CERTIFICATES_RENDER_RECOVER_AFTER_SECONDS="15",
            CERTIFICATES_RENDER_RECOVER_EVERY_SECONDS="5",
        ) as topology,
        contextlib.ExitStack() as processes,
    ):
        harness.prepare(topology.direct_env)  # the release step, straight to the primary
        world = harness.run_python(
            topology.direct_env,
            f"from tests.system.world import build_and_print\nbuild_and_print(students={students + extra})",
        )
        topology.cluster.wait_replayed()
        emails = world["students"]
        env, worker_env = topology.web_env, topology.worker_env
        webs: dict[str, harness.Process] = {}
        drill = Drill(topology=topology, logs=logs, processes=processes, webs=webs)
        drill.pdf_worker = processes.enter_context(
            harness.celery_worker(worker_env, logs, name="worker-pdf", concurrency=2, queues="pdf")
        )
        processes.enter_context(
            harness.celery_worker(worker_env, logs, name="worker-rest", concurrency=2, queues="celery,email,upkeep")
        )
        web1 = processes.enter_context(harness.gunicorn(env, logs, name="web1", workers=2, threads=4, started=webs))
        web2 = processes.enter_context(harness.gunicorn(env, logs, name="web2", workers=2, threads=4, started=webs))
        pool = processes.enter_context(ThreadPoolExecutor(max_workers=16))
        reads_before = topology.reads()
        servers = [web1, web2]
        tokens = [harness.login(servers[i % 2], email) for i, email in enumerate(emails)]
        calm, stormy = tokens[:students], tokens[students:]
        free, paid, post = world["free_course"], world["paid_course"], world["post"]
        curriculum = _get(web1, f"/api/courses/{free}/curriculum/").json()
        quizzes = {
            module["id"]: [
                q["id"] for q in _get(web2, f"/api/quizzes/?module={module['id']}", tokens[0]).json()["results"]
            ]
            for module in curriculum["modules"]
        }
        # Each learner in a thread of their own; inside, every request goes to both servers at once. Others
        # browse the catalogue meanwhile (lag-tolerant reads: the replica's share).
        with ThreadPoolExecutor(max_workers=students + 2) as learners:
            jobs = [learners.submit(purchase, pool, servers, rzp, token, paid) for token in calm]
            jobs += [learners.submit(learn, pool, servers, token, free, curriculum, quizzes) for token in calm]
            jobs += [learners.submit(vote, pool, servers, token, post) for token in calm[1:]]
            jobs += [learners.submit(browse, servers) for _ in range(2)]
            for job in jobs:
                job.result(timeout=max(deadline - time.monotonic(), 1))
        recovery: dict[str, float] = {}
        if faults:
            live = list(servers)
            course = {"free": free, "paid": paid, "post": post, "curriculum": curriculum, "quizzes": quizzes}
            with ThreadPoolExecutor(max_workers=len(FAULTS)) as learners:
                jobs = []
                for (name, inject), token in zip(FAULTS, stormy, strict=True):
                    _fault["name"] = name
                    jobs.append(learners.submit(resilient_learner, live, rzp, token, course, deadline))
                    time.sleep(1)  # the learner is mid-journey when the fault hits
                    injected = time.monotonic()
                    inject(drill, live)
                    recovery[name] = drill.wait_recovered(live, deadline) - injected
                    _fault["name"] = ""
                for job in jobs:
                    job.result(timeout=max(deadline - time.monotonic(), 1))
            servers = live
        unrendered = wait_for_certificates(servers, tokens, deadline)
        failing = downloads_failing(servers, tokens)
        topology.cluster.wait_replayed()  # the leaderboards are read from the replica
        boards = [_get(server, "/api/leaderboard/?period=all_time&limit=100").json() for server in servers]
        time.sleep(1)  # statistics of the pooled server connections are flushed at most once a second
        reads_after = topology.reads()
        code = CHECKS.replace("EMAILS", json.dumps(emails)).replace("POST", repr(post))
        code = code.replace("FREE", repr(free)).replace("PAID", repr(paid))
        checks = harness.run_python(topology.direct_env, code)
    primary_reads, replica_reads = (after - before for after, before in zip(reads_after, reads_before, strict=True))
    checks["unrendered_certificates"] = unrendered
    checks["pdf_downloads_failing"] = failing
    checks["leaderboards"] = [{row["user"]["id"]: row["points"] for row in board["results"]} for board in boards]
    checks["seconds"] = round(time.monotonic() - started)
    checks["students"] = emails
    checks["razorpay_requests"] = rzp.requests_seen
    checks["replica_share_of_reads"] = round(replica_reads / max(primary_reads + replica_reads, 1), 3)
    checks["p95_per_route"] = p95_per_route()
    checks["errors_by_fault"] = {name or "no fault": dict(counts) for name, counts in _errors.items()}
    checks["seconds_to_recover"] = {name: round(seconds, 1) for name, seconds in recovery.items()}
    return checks


def browse(servers) -> None:
    """An anonymous visitor paging the catalogue and the leaderboard on both servers."""
    for server in servers * 5:
        assert _get(server, "/api/courses/").status_code == 200
        assert _get(server, "/api/leaderboard/?period=all_time").status_code == 200


# --- Phase 2: faults ---------------------------------------------------------------------------------


def _until(call, ok: tuple[int, ...], deadline: float) -> requests.Response:
    """``call()`` again every half second while it fails transiently (5xx, 429, no answer) until an ``ok`` status."""
    while True:
        try:
            response = call()
            if response.status_code in ok:
                return response
            if response.status_code < 500 and response.status_code != 429:
                raise AssertionError(f"{response.status_code}: {response.text[:300]}")
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise AssertionError("gave up retrying through the faults")
        time.sleep(0.5)


def _any(live: list[str]) -> str:
    return random.choice(live)  # noqa: S311 - spreading load like a balancer, not security


def resilient_learner(live: list[str], rzp, token: str, course: dict, deadline: float) -> None:
    """Buy, learn to completion and vote like a real client: any server the balancer still has, retrying."""

    def post(path: str, body: dict | None = None, ok: tuple[int, ...] = (200,)) -> requests.Response:
        return _until(lambda: _post(_any(live), path, token, body), ok, deadline)

    order_id = post("/api/payments/order/", {"course": course["paid"]}, ok=(200, 201)).json()["order_id"]
    payment = rzp.pay(order_id)
    post(
        "/api/payments/verify/",
        {
            "razorpay_order_id": order_id,
            "razorpay_payment_id": payment["id"],
            "razorpay_signature": rzp.checkout_signature(order_id, payment["id"]),
        },
    )
    captured = {"event": "payment.captured", "payload": {"payment": {"entity": payment}}}
    event_id = f"evt_{uuid.uuid4().hex[:14]}"
    _until(lambda: harness.signed_webhook(_any(live), captured, event_id=event_id), (200,), deadline)
    post(f"/api/courses/{course['free']}/enroll/", ok=(201, 409))
    for module in course["curriculum"]["modules"]:
        for lesson in module["lessons"]:
            post(f"/api/lessons/{lesson['id']}/complete/")
        answers = {"answers": [{"quiz": quiz, "selected_option": 0} for quiz in course["quizzes"][module["id"]]]}
        post(f"/api/modules/{module['id']}/quiz-attempts/", answers, ok=(201,))
    post(f"/api/forum/posts/{course['post']}/vote/", {"value": 1})


@dataclass
class Drill:
    topology: Topology
    logs: object
    processes: contextlib.ExitStack
    webs: dict
    pdf_worker: harness.Process | None = None

    def wait_recovered(self, live: list[str], deadline: float) -> float:
        """When every live server's full health check (database and cache) answers 200 again."""
        while time.monotonic() < deadline:
            healthy = 0
            for server in live:
                with contextlib.suppress(requests.RequestException):
                    healthy += requests.get(f"{server}/api/health/", timeout=5).status_code == 200
            if healthy == len(live):
                return time.monotonic()
            time.sleep(0.2)
        raise AssertionError("the cluster did not recover before the deadline")


def restart_postgres(drill: Drill, live: list[str]) -> None:
    drill.topology.cluster.restart_primary()


def kill_redis(drill: Drill, live: list[str]) -> None:
    drill.topology.redis.kill()  # cache, rate-limit counters and queued messages are gone (no persistence)
    time.sleep(3)
    drill.topology.redis.start()


def kill_pdf_worker(drill: Drill, live: list[str]) -> None:
    os.killpg(drill.pdf_worker.popen.pid, signal.SIGKILL)  # mid-render or idle: no warning either way
    drill.pdf_worker = drill.processes.enter_context(
        harness.celery_worker(drill.topology.worker_env, drill.logs, name="worker-pdf-2", concurrency=2, queues="pdf")
    )


def kill_web_process(drill: Drill, live: list[str]) -> None:
    # The load balancer notices the dead server and stops sending it requests (it leaves `live`).
    os.killpg(drill.webs["web2"].popen.pid, signal.SIGKILL)
    live.remove(live[1])


def lock_hot_table(drill: Drill, live: list[str]) -> None:
    # Longer than the web's lock_timeout (5 s): requests touching XP answer 503 instead of hanging.
    with psycopg.connect(drill.topology.cluster.primary_url(drill.topology.database)) as locker:
        locker.execute("LOCK TABLE gamification_xptotal IN ACCESS EXCLUSIVE MODE")
        time.sleep(8)
        locker.rollback()


FAULTS = [
    ("postgres_restarted", restart_postgres),
    ("redis_killed", kill_redis),
    ("pdf_worker_killed", kill_pdf_worker),
    ("web_process_killed", kill_web_process),
    ("hot_table_locked", lock_hot_table),
]


def problems(checks: dict) -> list[str]:
    """Everything the drill found wrong (empty when the cluster behaved)."""
    found = []
    every = {email: 1 for email in checks["students"]}
    for name in (
        "enrollments_free",
        "enrollments_paid",
        "payments_paid",
        "invoices",
        "certificates",
        "certificates_rendered",
        "xp_course",
    ):
        if checks[name] != every:
            found.append(f"{name}: expected exactly one each, got {checks[name]}")
    for name, count in (("xp_lesson", 4), ("xp_quiz", 2)):
        if checks[name] != {email: count for email in checks["students"]}:
            found.append(f"{name}: expected {count} each, got {checks[name]}")
    for name in (
        "enrollment_duplicates",
        "payments_owned_duplicates",
        "certificate_duplicates",
        "xp_duplicates",
        "vote_duplicates",
        "payments_failed_or_refunding",
        "invoice_number_gaps",
        "invoices_not_adding_up",
        "rollup_drift",
        "unrendered_certificates",
        "pdf_downloads_failing",
    ):
        if checks[name]:
            found.append(f"{name}: {checks[name]}")
    voters = len(checks["students"]) - 1  # the post's author does not vote
    if not checks["votes_rows"] == checks["votes_sum"] == checks["votes_score"] == voters:
        found.append(f"votes: rows={checks['votes_rows']} sum={checks['votes_sum']} score={checks['votes_score']}")
    ledger = {user: points for user, points in checks["ledger"].items() if points}
    for board in checks["leaderboards"]:
        if board != ledger:
            found.append(f"leaderboard {board} differs from the ledger {ledger}")
    return found


def report(checks: dict) -> dict:
    """The short report: what exists (totals over the learners), latency per route, where reads went."""
    totals = {
        name: sum(checks[name].values())
        for name in ("enrollments_paid", "enrollments_free", "payments_paid", "invoices", "certificates_rendered")
    }
    totals["xp_events"] = sum(sum(checks[name].values()) for name in ("xp_lesson", "xp_quiz", "xp_course"))
    totals["votes"] = checks["votes_rows"]
    return {
        "seconds": checks["seconds"],
        "learners": len(checks["students"]),
        "totals": totals,
        "replica_share_of_reads": checks["replica_share_of_reads"],
        "p95_per_route": checks["p95_per_route"],
        "errors_by_fault": checks["errors_by_fault"],
        "seconds_to_recover": checks["seconds_to_recover"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--no-faults", action="store_true", help="phase 1 only")
    args = parser.parse_args()
    checks = run(students=args.students, timeout=args.timeout, faults=not args.no_faults)
    print(json.dumps(report(checks), indent=2))
    found = problems(checks)
    for problem in found:
        print(f"PROBLEM: {problem}")
    print("SCALE-OUT FAILED" if found else f"SCALE-OUT PASSED in {checks['seconds']}s")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
