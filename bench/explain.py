"""EXPLAIN ANALYZE of every query the hot routes run, on the scale data.

Calls each route through Django's test client (as a seeded learner), captures the SQL it sends, and
explains each SELECT with ``EXPLAIN (ANALYZE, FORMAT JSON)`` inside a transaction that is rolled back
(so ``lesson complete`` changes nothing). Writes a table between the ``explain:begin``/``explain:end``
markers of docs/performance.md: the indexes each query uses, any sequential scan of a large table (a
finding), and its execution time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dca_bench .venv/bin/python bench/explain.py
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("RATELIMIT_ENABLE", "false")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- explain:begin -->", "<!-- explain:end -->"
LARGE_TABLE_ROWS = 10_000


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _table_rows() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r'")
        return dict(cursor.fetchall())


def _explain(sql: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        raw = cursor.fetchone()[0]
    return (json.loads(raw) if isinstance(raw, str) else raw)[0]


def _describe(sql: str) -> str:
    """A short name for a query: its main table and what it filters on."""
    main = None
    depth = 0
    for index, char in enumerate(sql):  # the outer query's FROM, not a subquery's
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and sql.startswith(' FROM "', index):
            main = re.match(r' FROM "(\w+)"', sql[index:])
            break
    where = re.search(r"WHERE (.*?)(?: ORDER BY| LIMIT| GROUP BY| FOR UPDATE|$)", sql)
    columns = sorted(set(re.findall(r'"\w+"\."(\w+)" (?:=|IN|>=|>|<)', where.group(1) if where else "")))[:4]
    table = main.group(1) if main else "?"
    return f"{table}" + (f" by {', '.join(columns)}" if columns else "")


def main() -> None:
    from accounts.models import User
    from catalog.models import Course, Domain, Enrollment, Lesson
    from forum.models import Post

    rows = _table_rows()
    learner = User.objects.get(email="learner00042@scale.example.com")
    enrollment = (
        Enrollment.objects.filter(user=learner, course__forum_posts__isnull=False).select_related("course").first()
    )
    course = enrollment.course
    popular = Course.objects.published().order_by("-learner_count").first()
    domain = Domain.objects.filter(courses__status="published").first()
    lesson = Lesson.objects.filter(module__course=course).order_by("module__position", "position").last()
    assert Post.objects.filter(course=course).exists()
    client = APIClient()
    client.force_authenticate(learner)
    routes = [
        ("catalogue by domain", "get", f"/api/courses/?domain={domain.slug}"),
        ("course detail", "get", f"/api/courses/{popular.pk}/"),
        ("curriculum", "get", f"/api/courses/{course.pk}/curriculum/"),
        ("my enrollments", "get", "/api/enrollments/"),
        ("leaderboard weekly + my rank", "get", "/api/leaderboard/?period=weekly"),
        ("leaderboard monthly + my rank", "get", "/api/leaderboard/?period=monthly"),
        ("forum list", "get", f"/api/forum/posts/?course={course.pk}"),
        ("lesson complete", "post", f"/api/lessons/{lesson.pk}/complete/"),
    ]
    lines = [
        f"Explained on the scale data ({rows.get('accounts_user', 0):,} users, "
        f"{rows.get('catalog_enrollment', 0):,} enrollments, {rows.get('gamification_xpevent', 0):,} XP events, "
        f"{rows.get('forum_post', 0):,} posts), as learner00042 in a course with {course.learner_count:,} "
        f"learners; the busiest course has {popular.learner_count:,}. Times are PostgreSQL's execution time.",
        "",
        "| route | SELECTs (+ writes, savepoints) | query (main table, filter) | indexes used | seq scans | ms |",
        "|---|---:|---|---|---|---:|",
    ]
    findings = []
    with transaction.atomic():
        for name, method, url in routes:
            with CaptureQueriesContext(connection) as captured:
                response = getattr(client, method)(url)
            assert response.status_code in (200, 201), (url, response.status_code, response.content[:300])
            selects = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
            writes = len(captured.captured_queries) - len(selects)
            first = True
            for sql in selects:
                plan = _explain(sql)
                nodes = list(_nodes(plan["Plan"]))
                indexes = sorted({n["Index Name"] for n in nodes if "Index Name" in n})
                scans = sorted({n["Relation Name"] for n in nodes if n["Node Type"] == "Seq Scan"})
                big = [t for t in scans if rows.get(t, 0) >= LARGE_TABLE_ROWS]
                for table in big:
                    findings.append(
                        f"- **{name}**: sequential scan of `{table}` ({rows[table]:,} rows) in `{_describe(sql)}`"
                    )
                scan_text = ", ".join(f"**{t}**" if t in big else t for t in scans) or "—"
                count = f"{len(selects)} + {writes} other" if writes else str(len(selects))
                lines.append(
                    f"| {name if first else ''} | {count if first else ''} | {_describe(sql)} "
                    f"| {', '.join(f'`{i}`' for i in indexes) or '—'} | {scan_text} | {plan['Execution Time']:.2f} |"
                )
                first = False
        transaction.set_rollback(True)
    lines += ["", "Sequential scans of large tables:", "", *(findings or ["- none"])]
    block = "\n".join(lines)
    doc = DOC.read_text()
    if BEGIN in doc:
        head, rest = doc.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        doc = f"{head}{BEGIN}\n{block}\n{END}{tail}"
    else:
        doc += f"\n{BEGIN}\n{block}\n{END}\n"
    DOC.write_text(doc)
    print(block)


if __name__ == "__main__":
    main()
