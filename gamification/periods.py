"""Leaderboard periods in ``TIME_ZONE``: ISO weeks from Monday 00:00 and calendar months from the 1st."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from gamification.models import ALL_TIME_START, XPTotal


@dataclass(frozen=True)
class PeriodWindow:
    period: str
    start: datetime.date
    starts_at: datetime.datetime | None
    ends_at: datetime.datetime | None


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_default_timezone())


def period_start(period: str, moment: datetime.datetime) -> datetime.date:
    """The local date the period containing ``moment`` starts on."""
    day = timezone.localtime(moment, timezone.get_default_timezone()).date()
    if period == XPTotal.Period.WEEKLY:
        return day - datetime.timedelta(days=day.weekday())
    if period == XPTotal.Period.MONTHLY:
        return day.replace(day=1)
    return ALL_TIME_START


def period_window(period: str, moment: datetime.datetime) -> PeriodWindow:
    start = period_start(period, moment)
    if period == XPTotal.Period.WEEKLY:
        end = start + datetime.timedelta(days=7)
    elif period == XPTotal.Period.MONTHLY:
        end = (start + datetime.timedelta(days=32)).replace(day=1)
    else:
        return PeriodWindow(period=period, start=start, starts_at=None, ends_at=None)
    return PeriodWindow(period=period, start=start, starts_at=_local_midnight(start), ends_at=_local_midnight(end))


def local_day_start(moment: datetime.datetime) -> datetime.datetime:
    return _local_midnight(timezone.localtime(moment, timezone.get_default_timezone()).date())
