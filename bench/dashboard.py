"""``GET /api/instructor/dashboard/`` at scale: one instructor with 300 courses and 100,000 enrollments.

Builds the data once (bulk inserts, well under two minutes; skipped when the instructor already has the
courses), then times the route through Django's test client and prints ``EXPLAIN (ANALYZE, BUFFERS)`` of each
query it sends. Per course: 2 modules x 2 lessons, a quiz attempt per 5 enrollments, a completed lesson per
enrollment (half of them in the last 30 days), and a paid sale with its ledger entry per 10 enrollments.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dca_bench .venv/bin/python bench/dashboard.py [--runs 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("RATELIMIT_ENABLE", "false")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

EMAIL = "dashboard-instructor@bench.example.com"
COURSES, LEARNERS, COURSES_PER_LEARNER = 300, 2_000, 50  # 2,000 x 50 = 100,000 enrollments
BATCH = 5_000


def build() -> None:
    from accounts.models import User
    from assessments.models import QuizAttempt
    from billing.models import EarningEntry, Payment
    from catalog.models import Course, Domain, Enrollment, Lesson, LessonProgress, Module

    started = time.monotonic()
    now = timezone.now()
    password = make_password("bench-password")
    with transaction.atomic():
        instructor = User.objects.create(
            email=EMAIL, full_name="Dashboard Instructor", role="instructor", password=password
        )
        domain, _ = Domain.objects.get_or_create(slug="dashboard-bench", defaults={"name": "Dashboard bench"})
        courses = Course.objects.bulk_create(
            Course(
                title=f"Dashboard course {n}",
                slug=f"dashboard-course-{n}",
                domain=domain,
                instructor=instructor,
                price="499.00",
                status="published",
                published_at=now,
            )
            for n in range(COURSES)
        )
        modules = Module.objects.bulk_create(
            Module(course=course, title=f"Module {m}", position=m) for course in courses for m in (1, 2)
        )
        lessons = Lesson.objects.bulk_create(
            Lesson(module=module, title=f"Lesson {n}", position=n) for module in modules for n in (1, 2)
        )
        learners = User.objects.bulk_create(
            (
                User(email=f"dashboard-learner{n:05d}@bench.example.com", full_name=f"Learner {n}", password=password)
                for n in range(LEARNERS)
            ),
            batch_size=BATCH,
        )
        pairs = [
            (learner, courses[(i * 7 + k) % COURSES])
            for i, learner in enumerate(learners)
            for k in range(COURSES_PER_LEARNER)
        ]
        Enrollment.objects.bulk_create(
            (
                Enrollment(user=u, course=c, source="payment", completed_at=now if i % 4 == 0 else None)
                for i, (u, c) in enumerate(pairs)
            ),
            batch_size=BATCH,
        )
        first_lesson = {lesson.module.course_id: lesson for lesson in lessons if lesson.position == 1}
        LessonProgress.objects.bulk_create(
            (
                LessonProgress(
                    user=u, course=c, lesson=first_lesson[c.pk], completed_at=now - timedelta(days=1 if i % 2 else 45)
                )
                for i, (u, c) in enumerate(pairs)
            ),
            batch_size=BATCH,
        )
        first_module = {module.course_id: module for module in modules if module.position == 1}
        QuizAttempt.objects.bulk_create(
            (
                QuizAttempt(
                    user=u,
                    module=first_module[c.pk],
                    status="submitted",
                    submitted_at=now,
                    score=2,
                    total=3,
                    percentage="66.67",
                    pass_mark=60,
                    passed=True,
                )
                for i, (u, c) in enumerate(pairs)
                if i % 5 == 0
            ),
            batch_size=BATCH,
        )
        sold = [(i, u, c) for i, (u, c) in enumerate(pairs) if i % 10 == 0]
        payments = Payment.objects.bulk_create(
            (
                Payment(
                    user=u,
                    course=c,
                    amount=49900,
                    status="paid",
                    razorpay_order_id=f"order_dash{i}",
                    payment_id=f"pay_dash{i}",
                    receipt=f"dca_dash{i}",
                    paid_at=now,
                )
                for i, u, c in sold
            ),
            batch_size=BATCH,
        )
        EarningEntry.objects.bulk_create(
            (
                EarningEntry(
                    instructor=instructor,
                    course_id=p.course_id,
                    payment=p,
                    kind="sale",
                    gross=49900,
                    tax=7612,
                    commission=12686,
                    net=29602,
                    commission_percent=30,
                )
                for p in payments
            ),
            batch_size=BATCH,
        )
        Course.objects.filter(instructor=instructor).update(learner_count=len(pairs) // COURSES)
    with connection.cursor() as cursor:
        # What autovacuum does soon after a load: statistics, and the visibility map index-only scans need.
        cursor.execute(
            "VACUUM (ANALYZE) catalog_enrollment, catalog_lessonprogress, assessments_quizattempt, "
            "billing_earningentry, catalog_course"
        )
    print(f"built {COURSES} courses, {len(pairs):,} enrollments in {time.monotonic() - started:.1f} s")


def measure(runs: int, page_size: int) -> None:
    from accounts.models import User

    instructor = User.objects.get(email=EMAIL)
    client = APIClient()
    client.force_authenticate(instructor)
    url = f"/api/instructor/dashboard/?page_size={page_size}"
    client.get(url)  # warm-up
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:200]
    body = response.json()
    print(
        f"{body['count']} courses; page of {len(body['results'])}: median {statistics.median(timings):.0f} ms, "
        f"p95 {sorted(timings)[int(0.95 * len(timings)) - 1]:.0f} ms over {runs} runs"
    )
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    print(f"{len(queries.captured_queries)} queries")
    for query in queries.captured_queries:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            print("\n".join(row[0] for row in cursor.fetchall()))
            print("-" * 80)


def main() -> None:
    from accounts.models import User

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--page-size", type=int, default=20, help="Courses per page (the API's default 20, at most 100)."
    )
    args = parser.parse_args()
    if not User.objects.filter(email=EMAIL).exists():
        build()
    measure(args.runs, args.page_size)


if __name__ == "__main__":
    main()
