"""The physical limit: the Django API against a framework-free WSGI app serving the same bytes.

Run by ``bench/limit.sh`` (``make bench-limit``) with the benchmark's environment and seeded database:

1. starts gunicorn twice with the same settings on two loopback ports: ``config.wsgi`` with
   ``config/gunicorn.conf.py``, and ``bench.raw_app:app`` with ``bench/gunicorn_raw.conf.py`` (the same file
   with a Django-free ``pre_request`` hook);
2. signs one seeded learner in through allauth and picks one of their courses and its domain;
3. fetches every route from both servers with the same headers and **stops with a diff** unless the status
   is 200 and the bodies are byte-identical;
4. runs ``wrk`` against each server in alternating rounds (the order flips every round), reading requests/s
   from wrk and the CPU time of the gunicorn master and workers from ``/proc`` before and after each run
   (workers recycled by ``max_requests`` are counted through the master's reaped-children times);
5. prints a table per route and writes it, dated, with the load average, to docs/performance.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import difflib
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from report import machine  # noqa: E402 - bench/ is not a package

DOC = ROOT / "docs" / "performance.md"
BEGIN, END, RUN_SEPARATOR = "<!-- limit:begin -->", "<!-- limit:end -->", "<!-- limit:run -->"
KEEP = 4
HOST_HEADER = "127.0.0.1"  # both servers see the same Host, so absolute pagination links are identical
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# The signed-in learner: BENCH_LIMIT_LEARNER, or the first scale learner holding a certificate, a payment and an
# active enrollment (which learner that is depends on the scale: on 2,000 users learner00042 has no certificate).
LEARNER_SQL = """SELECT u.email FROM accounts_user u
    WHERE u.email LIKE 'learner%%@scale.example.com' AND u.is_active AND NOT u.is_suspended
      AND EXISTS (SELECT 1 FROM certificates_certificate k WHERE k.user_id = u.id)
      AND EXISTS (SELECT 1 FROM billing_payment p WHERE p.user_id = u.id)
      AND EXISTS (SELECT 1 FROM catalog_enrollment e WHERE e.user_id = u.id AND e.status = 'active')
    ORDER BY u.email LIMIT 1"""
PASSWORD = "learn-with-dca"


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Samples:
    rps: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    db_cpu_ms: list[float] = field(default_factory=list)
    timeouts: int = 0


# --- processes -------------------------------------------------------------------------------------------


def start(server: Server, app: str, config: str) -> None:
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(server.port)}
    log = ROOT / "bench" / "results" / f"limit-{server.name}.log"
    server.process = subprocess.Popen(  # noqa: S603 - fixed argv
        [GUNICORN, "-c", config, app, "--access-logfile", "/dev/null", "--error-logfile", str(log)],
        cwd=ROOT,
        env=env,
    )


def stop(server: Server) -> None:
    if server.process is not None and server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


def _stat(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()  # fields from the 3rd (state) on


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with open(task / "children") as handle:
            found.extend(int(child) for child in handle.read().split())
    return found


def cpu_seconds(server: Server) -> float:
    """User + system CPU of the gunicorn master, its live workers and the workers it has reaped."""
    master = server.process.pid
    fields = _stat(master)
    ticks = sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    for worker in _children(master):
        # A worker that exited between the two reads: the master's cutime/cstime count it once reaped.
        with contextlib.suppress(FileNotFoundError):
            ticks += sum(int(value) for value in _stat(worker)[11:13])
    return ticks / CLOCK_TICKS


# --- HTTP ------------------------------------------------------------------------------------------------


def fetch(url: str, *, token: str = "", body: dict | None = None) -> tuple[int, bytes]:
    headers = {"Host": HOST_HEADER, "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method="POST" if body else "GET")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback only
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_ready(server: Server, path: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"{server.name}: gunicorn exited (see bench/results/limit-{server.name}.log)")
        try:
            status, _ = fetch(server.base + path)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{server.name}: not answering {path} after 60 s")


def learner() -> str:
    if os.environ.get("BENCH_LIMIT_LEARNER"):
        return os.environ["BENCH_LIMIT_LEARNER"]
    with psycopg.connect(os.environ["DATABASE_URL"]) as connection:
        row = connection.execute(LEARNER_SQL).fetchone()
    if row is None:
        raise SystemExit("no scale learner with a certificate, a payment and an active enrollment: seeded?")
    return row[0]


def prepare(app: Server, email: str) -> tuple[str, dict[str, str]]:
    """Sign the learner in and build the routes: (token, {label: path})."""
    status, body = fetch(app.base + "/_allauth/app/v1/auth/login", body={"email": email, "password": PASSWORD})
    if status != 200:
        raise SystemExit(f"signing {email} in failed: {status} {body[:300]!r}")
    token = json.loads(body)["meta"]["access_token"]
    status, body = fetch(app.base + "/api/enrollments/?page_size=100", token=token)
    active = [e for e in json.loads(body)["results"] if e["status"] == "active"]
    if not active:
        raise SystemExit(f"{email} has no active enrollment: is the scale data seeded?")
    return token, routes_of(active[0]["course"])


def routes_of(course: dict) -> dict[str, str]:
    """Every timed route, by label, around one of the learner's active courses (an enrollment's ``course``)."""
    return {
        "catalogue by domain": f"/api/courses/?domain={course['domain']['slug']}",
        "course detail": f"/api/courses/{course['id']}/",
        "curriculum (enrolled learner)": f"/api/courses/{course['id']}/curriculum/",
        "my enrollments": "/api/enrollments/",
        "leaderboard weekly (with me)": "/api/leaderboard/?period=weekly",
        **PERSONAL_ROUTES,
        **anonymous_routes(course),
    }


# Personal reads (issue #18, item 1): the learner's own rows (``learner()`` picks one with rows in every list).
PERSONAL_ROUTES = {
    "me": "/api/auth/me/",
    "my certificates": "/api/certificates/",
    "payment history": "/api/payments/history/",
    "my XP": "/api/gamification/xp/",
}


def selected(routes: dict[str, str], wanted: str) -> dict[str, str]:
    """The routes whose label has one of the comma-separated words of ``wanted`` as a word (all when empty)."""
    words = {word.strip().lower() for word in wanted.split(",") if word.strip()}
    chosen = {label: path for label, path in routes.items() if not words or words & set(label.lower().split())}
    if not chosen:
        raise SystemExit(f"no route label contains any of {words}: labels are {', '.join(routes)}")
    return chosen


# --- public routes, anonymous (issue #18 item 2) -------------------------------------------------------------
# The same public reads without credentials, as a CDN or a visitor asks for them (the cacheable case), plus
# the domains. Their labels end in ANONYMOUS: they are fetched and timed without the Authorization header.
ANONYMOUS = " (anonymous)"


def anonymous_routes(course: dict) -> dict[str, str]:
    return {
        f"catalogue by domain{ANONYMOUS}": f"/api/courses/?domain={course['domain']['slug']}",
        f"course detail{ANONYMOUS}": f"/api/courses/{course['id']}/",
        f"curriculum{ANONYMOUS}": f"/api/courses/{course['id']}/curriculum/",
        f"domains{ANONYMOUS}": "/api/domains/",
        f"leaderboard weekly{ANONYMOUS}": "/api/leaderboard/?period=weekly",
    }


def token_for(label: str, token: str) -> str:
    """The learner's token, or none for an anonymous route."""
    return "" if label.endswith(ANONYMOUS) else token


def check_identical(app: Server, raw: Server, routes: dict[str, str], token: str) -> None:
    """Every route: 200 from both and the same bytes, or a diff and exit status 1."""
    failures = 0
    for label, path in routes.items():
        app_status, app_body = fetch(app.base + path, token=token_for(label, token))
        raw_status, raw_body = fetch(raw.base + path, token=token_for(label, token))
        if app_status == raw_status == 200 and app_body == raw_body:
            print(f"   identical: {label} ({len(app_body):,} bytes) {path}")
            continue
        failures += 1
        print(f"!! DIFFERENT: {label} {path}: app {app_status}, raw {raw_status}", file=sys.stderr)
        offset = next(
            (i for i, (a, b) in enumerate(zip(app_body, raw_body, strict=False)) if a != b),
            min(len(app_body), len(raw_body)),
        )
        print(f"   first difference at byte {offset}:", file=sys.stderr)
        print(f"   app: {app_body[max(offset - 60, 0) : offset + 60]!r}", file=sys.stderr)
        print(f"   raw: {raw_body[max(offset - 60, 0) : offset + 60]!r}", file=sys.stderr)
        try:
            pretty = [
                json.dumps(json.loads(body), indent=1, ensure_ascii=False).splitlines() for body in (app_body, raw_body)
            ]
            sys.stderr.writelines(line + "\n" for line in difflib.unified_diff(*pretty, "app", "raw", lineterm="", n=2))
        except ValueError:
            pass
    if failures:
        raise SystemExit(f"{failures} route(s) differ: the raw app must serve byte-identical JSON; nothing timed.")


# --- wrk ---------------------------------------------------------------------------------------------------

_REQUESTS = re.compile(r"(\d+) requests in ([\d.]+)(ms|s|m)")
_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
_TIMEOUTS = re.compile(r"timeout (\d+)")


def wrk(
    server: Server, path: str, token: str, *, seconds: int, threads: int, connections: int
) -> tuple[int, float, int]:
    """(requests, elapsed seconds, socket timeouts) of one wrk run; exits on any non-2xx answer."""
    argv = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-H",
        f"Host: {HOST_HEADER}",
        *(["-H", f"Authorization: Bearer {token}"] if token else []),
        server.base + path,
    ]
    output = subprocess.run(argv, capture_output=True, text=True, check=True).stdout  # noqa: S603
    match = _REQUESTS.search(output)
    if match is None:
        raise SystemExit(f"unexpected wrk output:\n{output}")
    if (bad := _NON_2XX.search(output)) and int(bad.group(1)):
        raise SystemExit(f"{server.name} {path}: {bad.group(1)} non-2xx answers under load:\n{output}")
    requests, elapsed, unit = int(match.group(1)), float(match.group(2)), match.group(3)
    elapsed *= {"ms": 0.001, "s": 1, "m": 60}[unit]
    timeouts = _TIMEOUTS.search(output)
    return requests, elapsed, int(timeouts.group(1)) if timeouts else 0


def backend_of(database: str, cmdline: bytes) -> bool:
    """Whether ``/proc/<pid>/cmdline`` is a PostgreSQL backend's connected to ``database``: PostgreSQL titles them
    ``postgres: <cluster>: <user> <database> <host(port)> <state>`` (the cluster part only on some installs)."""
    words = cmdline.split(b"\0")[0].split()
    return len(words) >= 4 and words[0] == b"postgres:" and database.encode() in words[1:-1]


def database_cpu_seconds(database: str) -> float:
    """User + system CPU of the PostgreSQL backends connected to ``database`` (the servers' connections), plus what
    PostgreSQL's postmaster has reaped: the backends that ended (Django reconnects after ``CONN_MAX_AGE``, a
    recycled worker's connections close), as ``cpu_seconds`` counts gunicorn's reaped workers.

    One server is loaded at a time, so the difference over a run is that server's database work (and any other
    PostgreSQL process that ended meanwhile, such as an autovacuum worker: rare, and short).
    """
    ticks = 0
    postmaster = None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if not backend_of(database, (entry / "cmdline").read_bytes()):
                continue
            fields = _stat(int(entry.name))
        except (FileNotFoundError, ProcessLookupError):
            continue  # gone meanwhile: reaped, so counted through the postmaster
        ticks += sum(int(value) for value in fields[11:13])
        postmaster = int(fields[1])
    if postmaster is not None:
        ticks += sum(int(value) for value in _stat(postmaster)[13:15])  # cutime, cstime
    return ticks / CLOCK_TICKS


def measure(server: Server, path: str, token: str, samples: Samples, *, database: str, **wrk_args) -> None:
    before, db_before = cpu_seconds(server), database_cpu_seconds(database)
    requests, elapsed, timeouts = wrk(server, path, token, **wrk_args)
    after, db_after = cpu_seconds(server), database_cpu_seconds(database)
    samples.rps.append(requests / elapsed)
    samples.cpu_ms.append((after - before) * 1000 / requests)
    samples.db_cpu_ms.append((db_after - db_before) * 1000 / requests)
    samples.timeouts += timeouts


# --- report ------------------------------------------------------------------------------------------------


def _spread(values: list[float], digits: int = 0) -> str:
    fmt = f"{{:,.{digits}f}}"
    middle = fmt.format(statistics.median(values))
    if len(values) < 2:
        return middle
    return f"{middle} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def table(routes: dict[str, str], results: dict[str, dict[str, Samples]]) -> str:
    lines = [
        "| route | raw req/s | app req/s | **raw ÷ app req/s** | raw CPU ms/req | app CPU ms/req "
        "| **app ÷ raw CPU/req** | PostgreSQL CPU ms/req: raw, app |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, path in routes.items():
        raw, app = results[label]["raw"], results[label]["app"]
        rps_ratio = [r / a for r, a in zip(raw.rps, app.rps, strict=True)]
        cpu_ratio = [a / r for r, a in zip(raw.cpu_ms, app.cpu_ms, strict=True)]
        shown = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "[id]", path)
        shown = re.sub(r"domain=[\w-]+", "domain=[slug]", shown)
        lines.append(
            f"| {label}: `GET {shown}` | {_spread(raw.rps)} | {_spread(app.rps)} | **{_spread(rps_ratio, 1)}** | "
            f"{_spread(raw.cpu_ms, 2)} | {_spread(app.cpu_ms, 2)} | **{_spread(cpu_ratio, 1)}** | "
            f"{statistics.median(raw.db_cpu_ms):.2f}, {statistics.median(app.db_cpu_ms):.2f} |"
        )
    return "\n".join(lines)


def write_doc(run: str) -> None:
    doc = DOC.read_text()
    if BEGIN not in doc:
        raise SystemExit(f"{DOC} has no {BEGIN} marker (section 'The physical limit')")
    head, rest = doc.split(BEGIN, 1)
    previous, tail = rest.split(END, 1)
    runs = [r.strip() for r in previous.split(RUN_SEPARATOR) if r.strip()]
    runs = [run, *runs][:KEEP]
    DOC.write_text(f"{head}{BEGIN}\n" + f"\n\n{RUN_SEPARATOR}\n".join(runs) + f"\n{END}{tail}")


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_LIMIT_ROUNDS", "3")))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_LIMIT_SECONDS", "10")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_LIMIT_THREADS", "2")))
    parser.add_argument("--connections", type=int, default=int(os.environ.get("BENCH_LIMIT_CONNECTIONS", "16")))
    parser.add_argument("--ports", default=os.environ.get("BENCH_LIMIT_PORTS", "8766,8767"))
    parser.add_argument("--label", default=os.environ.get("BENCH_LABEL", "latest run"))
    parser.add_argument(
        "--routes",
        default=os.environ.get("BENCH_LIMIT_ROUTES", ""),
        help="time only the routes whose label contains one of these comma-separated words, e.g. "
        "'me,certificates,payment,xp,enrollments' (all are still checked byte for byte)",
    )
    parser.add_argument("--check-only", action="store_true", help="stop after the byte-for-byte check")
    parser.add_argument("--no-doc", action="store_true", help="print the table without writing docs/performance.md")
    args = parser.parse_args()

    app_port, raw_port = (int(p) for p in args.ports.split(","))
    app, raw = Server("app", app_port), Server("raw", raw_port)
    start(app, "config.wsgi", "config/gunicorn.conf.py")
    start(raw, "bench.raw_app:app", "bench/gunicorn_raw.conf.py")
    try:
        wait_ready(app, "/api/health/")
        wait_ready(raw, "/api/leaderboard/?period=weekly")
        email = learner()
        print(f"== signed in as {email}")
        token, routes = prepare(app, email)
        print("== byte-for-byte check (same Host and Authorization headers to both)")
        check_identical(app, raw, routes, token)
        if args.check_only:
            return
        routes = selected(routes, args.routes)
        wrk_args = {"seconds": args.seconds, "threads": args.threads, "connections": args.connections}
        database = psycopg.conninfo.conninfo_to_dict(os.environ["DATABASE_URL"])["dbname"]
        print("== warm-up (2 s per route and server, not measured)")
        for label, path in routes.items():
            for server in (app, raw):
                wrk(
                    server,
                    path,
                    token_for(label, token),
                    seconds=2,
                    threads=args.threads,
                    connections=args.connections,
                )
        load_before = _loadavg()
        started = datetime.datetime.now(datetime.UTC)
        results = {label: {"app": Samples(), "raw": Samples()} for label in routes}
        for round_number in range(args.rounds):
            order = (raw, app) if round_number % 2 == 0 else (app, raw)
            for label, path in routes.items():
                for server in order:
                    measure(
                        server,
                        path,
                        token_for(label, token),
                        results[label][server.name],
                        database=database,
                        **wrk_args,
                    )
                    last = results[label][server.name]
                    print(
                        f"   round {round_number + 1}/{args.rounds} {server.name} {label}: "
                        f"{last.rps[-1]:,.0f} req/s, {last.cpu_ms[-1]:.2f} ms CPU/req, "
                        f"PostgreSQL {last.db_cpu_ms[-1]:.2f} ms CPU/req"
                    )
            # Both servers must still be the ones measured (a crash would silently zero the CPU reading).
            check_identical(app, raw, routes, token)
        load_after = _loadavg()
    finally:
        stop(app)
        stop(raw)

    body = table(routes, results)
    timeouts = sum(s.timeouts for per in results.values() for s in per.values())
    print(body)
    processes = os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) + 1)
    run = "\n".join(
        [
            f"### {args.label} — {started:%Y-%m-%d %H:%M} UTC",
            "",
            f"Machine: {machine()}.  ",
            f"Method: {args.rounds} alternating rounds × {args.seconds} s per route and server, wrk "
            f"{args.threads} threads × {args.connections} connections on the same cores, as "
            f"{email.split('@')[0]} (Bearer token) or anonymous (no credentials: rows marked so); both servers "
            "gunicorn `config/gunicorn.conf.py` "
            f"({processes} processes × {os.environ.get('GUNICORN_THREADS', 4)} threads), median (min–max) over "
            "rounds; "
            f"ratios per round. Socket timeouts: {timeouts}.  ",
            f"Load average (1/5/15 min) before: {load_before}, after: {load_after} — the measurement itself "
            "keeps the 2 cores busy (~2); more than that is other work on the machine.",
            "",
            body,
        ]
    )
    if not args.no_doc:
        write_doc(run)
        print(f"== written to {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
