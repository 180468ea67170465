"""Turn locust's CSV statistics into the results table of docs/performance.md.

The table goes between the ``bench:begin``/``bench:end`` markers, newest run first; earlier runs are kept
below it (up to ``KEEP``) so before/after comparisons stay in the document.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import platform
import re
import subprocess
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
RUN_SEPARATOR = "<!-- bench:run -->"
KEEP = 6
# p95 targets on a 2-core machine, in milliseconds.
TARGET_READ, TARGET_WRITE, TARGET_LEADERBOARD = 150, 250, 50


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    try:
        import psycopg

        with psycopg.connect(os.environ["DATABASE_URL"]) as connection:
            pg = connection.execute("SHOW server_version").fetchone()[0]
    except Exception:  # the report is still useful without it
        pg = "unknown"
    try:
        gunicorn = subprocess.run(
            [".venv/bin/gunicorn", "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        gunicorn = "gunicorn"
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem_kb / 1024 / 1024:.1f} GiB RAM, PostgreSQL {pg}, "
        f"Python {platform.python_version()}, {gunicorn}, {platform.system()} {platform.release()}"
    )


def target(name: str) -> int:
    if "leaderboard" in name:
        return TARGET_LEADERBOARD
    return TARGET_WRITE if name.startswith("POST") else TARGET_READ


def table(stats_path: Path) -> tuple[str, bool]:
    rows = list(csv.DictReader(stats_path.open()))
    lines = [
        "| route | requests | req/s | p50 ms | p95 ms | p99 ms | errors | p95 target | |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    all_ok = True
    for row in rows:
        name = row["Name"]
        if name == "Aggregated" or "(setup)" in name:
            continue
        count, failures = int(row["Request Count"]), int(row["Failure Count"])
        p95 = float(row["95%"])
        goal = target(name)
        ok = failures == 0 and p95 <= goal
        all_ok &= ok
        error_rate = f"{failures} ({100 * failures / count:.2f}%)" if count else "0"
        lines.append(
            f"| `{name}` | {count} | {float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} | {row['99%']} "
            f"| {error_rate} | ≤ {goal} | {'✅' if ok else '❌'} |"
        )
    total = next((r for r in rows if r["Name"] == "Aggregated"), None)
    if total:
        lines.append(
            f"| **all routes** | {total['Request Count']} | {float(total['Requests/s']):.1f} | {total['50%']} "
            f"| {total['95%']} | {total['99%']} | {total['Failure Count']} | | |"
        )
    return "\n".join(lines), all_ok


def seed_summary(seed_log: Path) -> str:
    if not seed_log.exists():
        return ""
    text = seed_log.read_text()
    match = re.search(r"Scale data for ([\d,]+) users in ([\d.]+) s", text)
    if match:
        return f"Scale data loaded in this run: {match.group(1)} users in {match.group(2)} s."
    if "already present" in text:
        return "Scale data was already in the database (loaded by an earlier run)."
    return ""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stats", type=Path, required=True)
    parser.add_argument("--seed-log", type=Path, default=Path("bench/results/seed.log"))
    parser.add_argument("--clients", default="50")
    parser.add_argument("--duration", default="60s")
    parser.add_argument("--workers", default="default")
    parser.add_argument("--label", default="latest run")
    parser.add_argument("--think", default="1-3 s")
    parser.add_argument("--loadavg", default="", help="/proc/loadavg before the run (other work on the machine)")
    args = parser.parse_args()

    body, ok = table(args.stats)
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    workers = "2 × cores + 1" if args.workers == "default" else args.workers
    run = "\n".join(
        [
            f"### {args.label} — {now}",
            "",
            f"Machine: {machine()}.  ",
            f"Load: {args.clients} concurrent users for {args.duration} (locust, headless, loopback), "
            f"think time {args.think} between requests; gunicorn `config/gunicorn.conf.py` with {workers} gthread "
            "workers, DEBUG off, Redis cache, rate limits off.  ",
            f"Load average before the run (1/5/15 min): {' '.join(args.loadavg.split()[:3]) or 'n/a'}"
            f" — anything above ~0.5 means other work shared the 2 cores.  ",
            seed_summary(args.seed_log),
            "",
            body,
            "",
            "All targets met." if ok else "**Some targets missed** — see the findings below.",
        ]
    )
    doc = DOC.read_text() if DOC.exists() else f"# Performance\n\n{BEGIN}\n{END}\n"
    head, rest = doc.split(BEGIN, 1)
    previous, tail = rest.split(END, 1)
    runs = [r.strip() for r in previous.split(RUN_SEPARATOR) if r.strip()]
    runs = [run, *runs][:KEEP]
    DOC.write_text(f"{head}{BEGIN}\n" + f"\n\n{RUN_SEPARATOR}\n".join(runs) + f"\n{END}{tail}")
    print(body)


if __name__ == "__main__":
    main()
