"""Leaderboard periods in ``TIME_ZONE``: ISO weeks from Monday 00:00 and calendar months from the 1st."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from common.timeutils import local_date, local_midnight, month_start, next_month_start, week_start
from gamification.models import ALL_TIME_START, XPTotal


@dataclass(frozen=True)
class PeriodWindow:
    period: str
    start: datetime.date
    starts_at: datetime.datetime | None
    ends_at: datetime.datetime | None


def period_start(period: str, moment: datetime.datetime) -> datetime.date:
    """The local date the period containing ``moment`` starts on."""
    day = local_date(moment)
    if period == XPTotal.Period.WEEKLY:
        return week_start(day)
    if period == XPTotal.Period.MONTHLY:
        return month_start(day)
    return ALL_TIME_START


def period_window(period: str, moment: datetime.datetime) -> PeriodWindow:
    start = period_start(period, moment)
    if period == XPTotal.Period.WEEKLY:
        end = start + datetime.timedelta(days=7)
    elif period == XPTotal.Period.MONTHLY:
        end = next_month_start(start)
    else:
        return PeriodWindow(period=period, start=start, starts_at=None, ends_at=None)
    return PeriodWindow(period=period, start=start, starts_at=local_midnight(start), ends_at=local_midnight(end))
