"""CSV reports for staff: users, enrollments, payments, courses and coupons created in a date range.

One generator, :func:`report_csv_lines`, serves both ``GET /api/admin/reports/<name>/`` (streamed) and
``manage.py export_report``. Rows come from ``values()`` over ``.iterator(chunk_size=...)`` (a
server-side cursor on PostgreSQL), so memory stays flat however many rows a report has.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from accounts.models import User
from billing.models import Payment
from billing.selectors import coupons_with_revenue
from catalog.models import Course, Enrollment
from common.csv_export import csv_lines
from common.money import paise_to_rupees
from staff.selectors import created_between


@dataclass(frozen=True)
class Report:
    name: str
    base_queryset: Callable[[], QuerySet]
    # (CSV header, values() lookup), in column order.
    columns: tuple[tuple[str, str], ...]
    # Optional per-row transformation of values() output (e.g. paise → rupees), keyed by header.
    derived: tuple[tuple[str, Callable[[dict[str, Any]], Any]], ...] = ()

    @property
    def headers(self) -> list[str]:
        return [header for header, _ in self.columns] + [header for header, _ in self.derived]


REPORTS: dict[str, Report] = {
    report.name: report
    for report in (
        Report(
            name="users",
            base_queryset=lambda: User.objects.all(),
            columns=(
                ("id", "id"),
                ("email", "email"),
                ("full_name", "full_name"),
                ("role", "role"),
                ("domain", "domain__slug"),
                ("branch", "branch"),
                ("year", "year"),
                ("is_suspended", "is_suspended"),
                ("onboarding_completed_at", "onboarding_completed_at"),
                ("created_at", "created_at"),
            ),
        ),
        Report(
            name="enrollments",
            base_queryset=lambda: Enrollment.objects.all(),
            columns=(
                ("id", "id"),
                ("user_id", "user_id"),
                ("user_email", "user__email"),
                ("course_id", "course_id"),
                ("course_title", "course__title"),
                ("source", "source"),
                ("status", "status"),
                ("progress_percent", "progress_percent"),
                ("completed_lessons", "completed_lessons"),
                ("completed_at", "completed_at"),
                ("revoked_at", "revoked_at"),
                ("created_at", "created_at"),
            ),
        ),
        Report(
            name="payments",
            base_queryset=lambda: Payment.objects.all(),
            columns=(
                ("id", "id"),
                ("user_id", "user_id"),
                ("user_email", "user__email"),
                ("course_id", "course_id"),
                ("course_title", "course__title"),
                ("amount_paise", "amount"),
                ("currency", "currency"),
                ("status", "status"),
                ("razorpay_order_id", "razorpay_order_id"),
                ("razorpay_payment_id", "payment_id"),
                ("paid_at", "paid_at"),
                ("refunded_at", "refunded_at"),
                ("created_at", "created_at"),
            ),
            derived=(("amount_rupees", lambda row: paise_to_rupees(row["amount"])),),
        ),
        Report(
            name="courses",
            base_queryset=lambda: Course.objects.all(),
            columns=(
                ("id", "id"),
                ("title", "title"),
                ("slug", "slug"),
                ("status", "status"),
                ("instructor_id", "instructor_id"),
                ("instructor_email", "instructor__email"),
                ("domain", "domain__slug"),
                ("price", "price"),
                ("learner_count", "learner_count"),
                ("submitted_at", "submitted_at"),
                ("published_at", "published_at"),
                ("created_at", "created_at"),
            ),
        ),
        # Redemptions and revenue per code: paid purchases (and free enrollments) that used it.
        Report(
            name="coupons",
            base_queryset=coupons_with_revenue,
            columns=(
                ("id", "id"),
                ("code", "code"),
                ("discount_type", "discount_type"),
                ("value", "value"),
                ("active", "active"),
                ("starts_at", "starts_at"),
                ("ends_at", "ends_at"),
                ("max_redemptions", "max_redemptions"),
                ("redemptions", "redemptions_count"),
                ("free_enrollments", "free_enrollments"),
                ("revenue_paise", "revenue_paise"),
                ("discount_paise", "discount_paise"),
                ("created_at", "created_at"),
            ),
            derived=(
                ("revenue_rupees", lambda row: paise_to_rupees(row["revenue_paise"])),
                ("discount_rupees", lambda row: paise_to_rupees(row["discount_paise"])),
            ),
        ),
    )
}
REPORT_NAMES = tuple(REPORTS)


def report_queryset(
    name: str, *, date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> QuerySet:
    """The report's rows (as values() dicts), created from ``date_from`` to ``date_to`` inclusive."""
    report = REPORTS[name]
    lookups = [lookup for _, lookup in report.columns]
    queryset = created_between(report.base_queryset(), date_from=date_from, date_to=date_to)
    # values() with related lookups joins them in the same query; created_at order is stable for readers.
    return queryset.order_by("created_at", "pk").values(*lookups)


def report_rows(
    name: str,
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    chunk_size: int | None = None,
) -> Iterator[list[Any]]:
    """The header, then one list of raw values per row (not yet formatted)."""
    report = REPORTS[name]
    lookups = [lookup for _, lookup in report.columns]
    yield report.headers
    rows = report_queryset(name, date_from=date_from, date_to=date_to)
    for row in rows.iterator(chunk_size=chunk_size or settings.REPORT_CHUNK_SIZE):
        yield [row[lookup] for lookup in lookups] + [derive(row) for _, derive in report.derived]


def report_csv_lines(
    name: str,
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    chunk_size: int | None = None,
) -> Iterator[str]:
    """CSV text of the report, one line at a time, formula cells neutralised."""
    return csv_lines(report_rows(name, date_from=date_from, date_to=date_to, chunk_size=chunk_size))


def report_filename(name: str, *, date_from: datetime.date | None, date_to: datetime.date | None) -> str:
    return f"{name}_{date_from or 'start'}_to_{date_to or 'now'}.csv"
