"""Leaderboard upkeep at scale: time and peak memory of `rebuild_leaderboards --check` and of a repair, and
the latency of XP awards made while they run (they must not stall).

On the scale data (`make bench-upkeep`, or ``DATABASE_URL=postgres://… python bench/upkeep.py``):

1. damages ``--drift`` roll-up rows (half deleted, half given wrong points), committed;
2. runs the check in a child process (its own peak RSS) while this process keeps awarding XP to random
   learners, each award in a transaction that is rolled back (it takes every lock a real one does and
   leaves no trace), and records each award's latency;
3. the same for a repair, then a final check that must find no drift.

Writes a table between the ``upkeep:begin``/``upkeep:end`` markers of docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- upkeep:begin -->", "<!-- upkeep:end -->"


def _setup() -> None:
    import django

    django.setup()


def measure(mode: str) -> dict:
    """In a child process: run the check or the repair once; its time and the process's peak memory."""
    _setup()
    from common.db import use_long_running_timeouts
    from gamification.services import leaderboards_rebuild

    use_long_running_timeouts()  # as the management command and the Celery task run it
    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    drift = leaderboards_rebuild(fix=mode == "repair")
    seconds = time.monotonic() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "mode": mode,
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "growth_mb": round((peak_kb - baseline_kb) / 1024, 1),
        "drift": drift.count,
        "rows_expected": drift.rows_expected,
    }


class _Rollback(Exception):
    pass


def _award_latencies(stop: threading.Event, learner_ids: list) -> list[float]:
    """Award XP (rolled back) to random learners until ``stop``; each award's latency in milliseconds."""
    from django.contrib.auth import get_user_model
    from django.db import connections, transaction

    from catalog.models import Lesson
    from gamification.services import xp_award

    users = get_user_model().objects
    latencies: list[float] = []
    try:
        while not stop.is_set():
            user = users.get(pk=random.choice(learner_ids))
            started = time.monotonic()
            try:
                with transaction.atomic():
                    xp_award(user=user, type="lesson_complete", source=Lesson(pk=uuid.uuid4()))
                    raise _Rollback
            except _Rollback:
                pass
            latencies.append((time.monotonic() - started) * 1000)
            time.sleep(0.05)
    finally:
        connections.close_all()
    return latencies


def _run_child(mode: str, learner_ids: list) -> dict:
    stop = threading.Event()
    result: dict = {}
    thread = threading.Thread(target=lambda: result.setdefault("latencies", _award_latencies(stop, learner_ids)))
    thread.start()
    try:
        child = subprocess.run(  # noqa: S603 - this interpreter running this file
            [sys.executable, __file__, "measure", mode], capture_output=True, text=True, check=True, cwd=ROOT
        )
    finally:
        stop.set()
        thread.join()
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    latencies = result.get("latencies") or [0.0]
    figures.update(
        awards=len(latencies),
        award_median_ms=round(statistics.median(latencies), 1),
        award_max_ms=round(max(latencies), 1),
    )
    return figures


def _damage(rows: int) -> int:
    """Delete half of ``rows`` random roll-ups and give the other half wrong points; committed."""
    from django.db import transaction
    from django.db.models import F

    from gamification.models import XPTotal

    pks = list(XPTotal.objects.order_by("?").values_list("pk", flat=True)[:rows])
    with transaction.atomic():
        XPTotal.objects.filter(pk__in=pks[: len(pks) // 2]).delete()
        XPTotal.objects.filter(pk__in=pks[len(pks) // 2 :]).update(points=F("points") + 7)
    return len(pks)


PADDING_SOURCE = "bench.padding"
PADDING_CHUNK = 250_000


def _pad_ledger(target: int) -> int:
    """Grow the XP ledger to ``target`` events, roll-ups kept exact; returns how many events were added.

    The scale seed derives its ~100 events per learner from real activity (lessons, quizzes, forum); the
    upkeep benchmark needs the ledger of a mature academy (issue #18: ~5 M events at 10,000 users). The
    padding is learners' past quiz passes spread over two years (source ``bench.padding``), inserted in SQL,
    and their weekly, monthly and all-time sums added to the roll-ups in the same transaction, with the
    same local-time truncation as the awards (``TIME_ZONE``), so the ledger and the roll-ups still agree.
    """
    from django.conf import settings
    from django.db import connection, transaction

    from gamification.models import ALL_TIME_START, XPEvent

    missing = target - XPEvent.objects.count()
    if missing <= 0:
        return 0
    points = settings.XP_POINTS["quiz_pass"]
    with transaction.atomic(), connection.cursor() as cursor:
        for first in range(0, missing, PADDING_CHUNK):  # statements well inside the long statement timeout
            cursor.execute(
                """
                INSERT INTO gamification_xpevent (id, user_id, type, points, timestamp, source_type, source_id)
                SELECT gen_random_uuid(), learners.ids[1 + (n %% learners.count)], 'quiz_pass', %s,
                       now() - random() * interval '730 days', %s, gen_random_uuid()
                FROM generate_series(%s, %s) AS n,
                     (SELECT array_agg(id ORDER BY id) AS ids, count(*) AS count
                      FROM accounts_user WHERE role = 'student') AS learners
                """,
                [points, PADDING_SOURCE, first + 1, min(first + PADDING_CHUNK, missing)],
            )
            print(f"  padding: {min(first + PADDING_CHUNK, missing):,} of {missing:,} events", flush=True)
        local = "(timestamp AT TIME ZONE %s)"
        for period, start in (
            ("weekly", f"date_trunc('week', {local})::date"),
            ("monthly", f"date_trunc('month', {local})::date"),
            ("all_time", "%s::date"),
        ):
            argument = ALL_TIME_START if period == "all_time" else settings.TIME_ZONE
            cursor.execute(
                f"""
                INSERT INTO gamification_xptotal (id, user_id, period, period_start, points, updated_at)
                SELECT gen_random_uuid(), user_id, %s, {start}, sum(points), now()
                FROM gamification_xpevent WHERE source_type = %s
                GROUP BY user_id, {start}
                ON CONFLICT (user_id, period, period_start)
                DO UPDATE SET points = gamification_xptotal.points + EXCLUDED.points
                """,  # noqa: S608 - the formatted parts are this function's constants
                [period, argument, PADDING_SOURCE, argument],
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) gamification_xpevent")
        cursor.execute("VACUUM (ANALYZE) gamification_xptotal")
    return missing


def _table(runs: list[dict], *, events: int, rollups: int, users: int, damaged: int) -> str:
    load = os.getloadavg()
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"### {stamp} — {events:,} XP events, {rollups:,} roll-ups, {users:,} users; {damaged:,} rows damaged",
        "",
        f"Load average at the start: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on {os.cpu_count()} cores. "
        "Peak memory is the child process's peak RSS (growth over the RSS after `django.setup()`). "
        "Awards: XP awards to random learners made meanwhile (each rolled back), one every ~50 ms.",
        "",
        "| step | time | peak RSS (growth) | drift found | awards meanwhile | award median | award max |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        lines.append(
            f"| {run['label']} | {run['seconds']:.1f} s | {run['peak_rss_mb']:.0f} MB (+{run['growth_mb']:.0f} MB) "
            f"| {run['drift']:,} | {run['awards']} | {run['award_median_ms']:.1f} ms | {run['award_max_ms']:.1f} ms |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drift", type=int, default=1000, help="roll-up rows to damage before the repair")
    parser.add_argument("--no-doc", action="store_true", help="print the table only")
    parser.add_argument(
        "--events",
        type=int,
        default=0,
        help="first grow the XP ledger to this many events (padding: past quiz passes, roll-ups kept exact)",
    )
    args = parser.parse_args()
    _setup()
    from django.contrib.auth import get_user_model

    from gamification.models import XPEvent, XPTotal

    if args.events:
        from common.db import use_long_running_timeouts

        use_long_running_timeouts()  # this process's own connection: the padding is a few long statements
        started = time.monotonic()
        added = _pad_ledger(args.events)
        print(f"padded the ledger with {added:,} events in {time.monotonic() - started:.0f} s", flush=True)

    learner_ids = list(get_user_model().objects.filter(role="student").values_list("pk", flat=True)[:2000])
    events, rollups = XPEvent.objects.count(), XPTotal.objects.count()
    users = get_user_model().objects.count()
    damaged = _damage(args.drift)
    runs = []
    for label, mode in (("check (damaged)", "check"), ("repair", "repair"), ("check (after repair)", "check")):
        figures = _run_child(mode, learner_ids)
        figures["label"] = label
        runs.append(figures)
        print(json.dumps(figures), flush=True)
    table = _table(runs, events=events, rollups=rollups, users=users, damaged=damaged)
    print(table)
    if runs[-1]["drift"]:
        raise SystemExit("the repair left drift behind")
    if not args.no_doc:
        text = DOC.read_text()
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        DOC.write_text(f"{head}{BEGIN}\n{table}{END}{tail}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["measure"]:
        print(json.dumps(measure(sys.argv[2])))
    else:
        main()
