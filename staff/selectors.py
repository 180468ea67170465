"""Reads for staff: the platform statistics behind the dashboard and ``/api/admin/stats/``, and the
audit log list.

``platform_stats`` is the one source of the numbers: the admin index and the API both call it. It runs
a fixed number of aggregate queries (see ``STATS_QUERY_COUNT``) whatever the size of the data, and its
result is cached for ``ADMIN_STATS_CACHE_SECONDS``.
"""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from accounts.models import User
from audit.models import AuditLog
from billing.models import Payment
from catalog.models import Course, Enrollment
from certificates.models import Certificate
from common.money import paise_to_rupees
from common.timeutils import local_midnight, local_today, local_zone
from forum.models import Flag

STATS_CACHE_KEY = "staff:platform_stats:v1"
CHART_DAYS = 30
TOP_COURSES = 5
# people, courses by status, enrollments, earnings, top by learners, top by revenue, 3 daily series.
STATS_QUERY_COUNT = 9

# Money that reached us: refunded payments were captured first, so they count in gross.
CAPTURED = (Payment.Status.PAID, Payment.Status.REFUND_PENDING, Payment.Status.REFUNDED)


def created_between(
    queryset: QuerySet,
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    field: str = "created_at",
) -> QuerySet:
    """Rows whose ``field`` falls on a local day from ``date_from`` to ``date_to``, both inclusive."""
    if date_from is not None:
        queryset = queryset.filter(**{f"{field}__gte": local_midnight(date_from)})
    if date_to is not None:
        queryset = queryset.filter(**{f"{field}__lt": local_midnight(date_to + datetime.timedelta(days=1))})
    return queryset


def _daily(queryset: QuerySet, *, field: str, since: datetime.datetime, value) -> dict[datetime.date, Any]:
    rows = (
        queryset.filter(**{f"{field}__gte": since})
        .annotate(day=TruncDate(field, tzinfo=local_zone()))
        .order_by()
        .values("day")
        .annotate(value=value)
        .values_list("day", "value")
    )
    return dict(rows)


def _platform_stats_compute() -> dict[str, Any]:
    today = local_today()
    days = [today - datetime.timedelta(days=offset) for offset in range(CHART_DAYS - 1, -1, -1)]
    since = local_midnight(days[0])

    people = User.objects.aggregate(
        students=Count("pk", filter=Q(role=User.Role.STUDENT)),
        instructors=Count("pk", filter=Q(role=User.Role.INSTRUCTOR)),
        admins=Count("pk", filter=Q(role=User.Role.ADMIN)),
        suspended=Count("pk", filter=Q(is_suspended=True)),
    )
    by_status = dict(Course.objects.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n"))
    enrollments = Enrollment.objects.aggregate(
        total=Count("pk"),
        active=Count("pk", filter=Q(status=Enrollment.Status.ACTIVE)),
        completed=Count("pk", filter=Q(completed_at__isnull=False)),
    )
    money = Payment.objects.aggregate(
        gross=Coalesce(Sum("amount", filter=Q(status__in=CAPTURED)), 0),
        refunded=Coalesce(Sum("amount", filter=Q(status=Payment.Status.REFUNDED)), 0),
        captured_payments=Count("pk", filter=Q(status__in=CAPTURED)),
    )
    # learner_count is kept by catalog.services (active enrollments), so this needs no COUNT per course.
    top_by_learners = list(
        Course.objects.filter(learner_count__gt=0)
        .order_by("-learner_count", "title")
        .values("id", "title", "status", "learner_count")[:TOP_COURSES]
    )
    top_by_revenue = list(
        Payment.objects.filter(status__in=Payment.OWNED)
        .values("course_id", "course__title")
        .annotate(revenue=Sum("amount"), sales=Count("pk"))
        .order_by("-revenue", "course__title")[:TOP_COURSES]
    )
    signups = _daily(User.objects.all(), field="created_at", since=since, value=Count("pk"))
    enrolled = _daily(Enrollment.objects.all(), field="created_at", since=since, value=Count("pk"))
    revenue = _daily(Payment.objects.filter(status__in=CAPTURED), field="paid_at", since=since, value=Sum("amount"))

    return {
        "generated_at": timezone.now(),
        "students": people["students"],
        "instructors": people["instructors"],
        "admins": people["admins"],
        "suspended_users": people["suspended"],
        "courses_total": sum(by_status.values()),
        "courses_by_status": {status: by_status.get(status, 0) for status in Course.Status.values},
        "enrollments": enrollments,
        "earnings": {
            "currency": "INR",
            "gross": paise_to_rupees(money["gross"]),
            "refunded": paise_to_rupees(money["refunded"]),
            "net": paise_to_rupees(money["gross"] - money["refunded"]),
            "captured_payments": money["captured_payments"],
        },
        "top_courses": {
            "by_learners": [
                {"id": row["id"], "title": row["title"], "status": row["status"], "learners": row["learner_count"]}
                for row in top_by_learners
            ],
            "by_revenue": [
                {
                    "id": row["course_id"],
                    "title": row["course__title"],
                    "revenue": paise_to_rupees(row["revenue"]),
                    "sales": row["sales"],
                }
                for row in top_by_revenue
            ],
        },
        "last_30_days": {
            "signups": [{"date": day, "count": signups.get(day, 0)} for day in days],
            "enrollments": [{"date": day, "count": enrolled.get(day, 0)} for day in days],
            "revenue": [{"date": day, "amount": paise_to_rupees(revenue.get(day) or 0)} for day in days],
        },
    }


def platform_stats(*, use_cache: bool = True) -> dict[str, Any]:
    """Headline numbers of the platform, shared by the admin dashboard and ``GET /api/admin/stats/``."""
    if use_cache:
        stats = cache.get(STATS_CACHE_KEY)
        if stats is not None:
            return stats
    stats = _platform_stats_compute()
    cache.set(STATS_CACHE_KEY, stats, timeout=settings.ADMIN_STATS_CACHE_SECONDS)
    return stats


# Courses listed by name in the "needs attention" strip (the oldest submissions); the rest are counted.
ATTENTION_COURSES = 5
# oldest pending courses, pending count, open flags, stuck payments, certificates without a PDF.
NEEDS_ATTENTION_QUERY_COUNT = 5


def needs_attention() -> dict[str, Any]:
    """What staff should act on now, for the strip on top of the dashboard. Never cached: it is a to-do
    list, and each figure is one indexed aggregate, so it costs ``NEEDS_ATTENTION_QUERY_COUNT`` queries."""
    now = timezone.now()
    pending = Course.objects.filter(status=Course.Status.PENDING_REVIEW)
    oldest_pending = list(
        pending.order_by("submitted_at", "title").values(
            "id", "title", "submitted_at", "instructor__email", "instructor__full_name"
        )[:ATTENTION_COURSES]
    )
    pending_count = pending.count()
    flags = Flag.objects.filter(status=Flag.Status.OPEN).aggregate(count=Count("pk"), oldest=Min("created_at"))
    reconcile_window = datetime.timedelta(minutes=settings.BILLING_RECONCILE_AFTER_MINUTES)
    stuck = Payment.objects.filter(status=Payment.Status.CREATED, created_at__lt=now - reconcile_window).aggregate(
        count=Count("pk"), oldest=Min("created_at")
    )
    missing_pdfs = Certificate.objects.filter(status=Certificate.Status.VALID, file="").count()
    return {
        "courses_pending_review": {
            "count": pending_count,
            "oldest": [
                {
                    "id": row["id"],
                    "title": row["title"],
                    "instructor": row["instructor__full_name"] or row["instructor__email"],
                    "submitted_at": row["submitted_at"],
                }
                for row in oldest_pending
            ],
        },
        "open_flags": {"count": flags["count"], "oldest": flags["oldest"]},
        "stuck_payments": {
            "count": stuck["count"],
            "oldest": stuck["oldest"],
            "window_minutes": settings.BILLING_RECONCILE_AFTER_MINUTES,
        },
        "certificates_missing_pdf": {"count": missing_pdfs},
        "total": pending_count + flags["count"] + stuck["count"] + missing_pdfs,
    }


def audit_log_list(
    *,
    action: str | None = None,
    actor_id: UUID | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditLog]:
    """Audit entries, newest first, with their actor joined in (one query per page)."""
    entries = AuditLog.objects.select_related("actor")
    if action:
        entries = entries.filter(action=action)
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if target_type:
        entries = entries.filter(target_type=target_type)
    if target_id:
        entries = entries.filter(target_id=target_id)
    return created_between(entries, date_from=date_from, date_to=date_to).order_by("-created_at")
