"""The academy's calendar: local days, ISO weeks and months in ``TIME_ZONE``.

Every "today", "this week", "this month" and "from this date to that date" in the code is computed here.
Dates are local calendar days; boundaries are aware datetimes at local midnight, built from the date (not
by subtracting hours), so they stay right across a DST change in zones that have one.
"""

from __future__ import annotations

import datetime

from django.utils import timezone


def local_zone() -> datetime.tzinfo:
    """``TIME_ZONE``: the zone the academy's days, weeks and months are counted in."""
    return timezone.get_default_timezone()


def display_zone() -> datetime.tzinfo:
    """The zone the API writes datetimes in: ``TIME_ZONE`` unless one was activated (DRF's ``DateTimeField``)."""
    return timezone.get_current_timezone()


def local_date(moment: datetime.datetime) -> datetime.date:
    """The local calendar day ``moment`` (aware) falls on."""
    return timezone.localtime(moment, local_zone()).date()


def local_today() -> datetime.date:
    return local_date(timezone.now())


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The moment local ``day`` starts (aware)."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=local_zone())


def local_day_start(moment: datetime.datetime) -> datetime.datetime:
    """The start of the local day ``moment`` falls on (for a date, ``local_midnight``)."""
    return local_midnight(local_date(moment))


def local_day_bounds(moment: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """The start of the local day ``moment`` falls on, and of the next one."""
    day = local_date(moment)
    return local_midnight(day), local_midnight(day + datetime.timedelta(days=1))


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s ISO week."""
    return day - datetime.timedelta(days=day.weekday())


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month_start(day: datetime.date) -> datetime.date:
    """The 1st of the month after ``day``'s."""
    return (month_start(day) + datetime.timedelta(days=32)).replace(day=1)


def financial_year(day: datetime.date) -> str:
    """India's financial year (April to March) ``day`` falls in: 2026-11-30 -> ``"2026-27"``."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"
