"""Reads of gamification: leaderboards (roll-ups only, never the ledger), my XP, my badges."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from uuid import UUID

from django.contrib.auth import get_user_model
from django.db.models import BigIntegerField, F, Func, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import Rank, TruncDate
from django.utils import timezone

from assessments.models import QuizAttempt
from catalog.models import LessonProgress
from common.precompiled import PrecompiledQuery
from common.timeutils import local_date, local_today, local_zone
from gamification.models import Badge, UserBadge, XPEvent, XPTotal
from gamification.periods import PeriodWindow, period_window


@dataclass
class LeaderboardMe:
    rank: int | None
    points: int


@dataclass
class Leaderboard:
    window: PeriodWindow
    results: list[XPTotal]  # each annotated with ``rank``, ``user`` loaded (id, full_name)
    me: LeaderboardMe | None


def _on_board(user, domain) -> bool:
    return user.is_student and not user.is_suspended and (domain is None or user.domain_id == domain.pk)


def leaderboard_rows(*, window: PeriodWindow, domain=None) -> QuerySet[XPTotal]:
    """Who competes on a board: active students (in ``domain`` if given) with XP in the period.

    The domain is read from the user (a join on the primary key) rather than copied onto the
    roll-ups, so a learner who changes domain moves boards at once with nothing to keep in step.
    """
    return _board_rows(period=window.period, start=window.start, domain=domain)


def _board_rows(*, period: str, start: datetime.date, domain=None) -> QuerySet[XPTotal]:
    User = get_user_model()
    rows = XPTotal.objects.filter(
        period=period,
        period_start=start,
        user__role=User.Role.STUDENT,
        user__is_suspended=False,
    )
    if domain is not None:
        rows = rows.filter(user__domain=domain)
    return rows


class _RowCount(Func):
    """``COUNT(*)`` of a subquery's rows, which the ORM does not take for an aggregate: no ``GROUP BY`` is added, so
    the subquery is always one row (0 when nothing matches) and PostgreSQL counts without grouping."""

    template = "COUNT(*)"
    output_field = BigIntegerField()


def _count(queryset: QuerySet[XPTotal]) -> Subquery:
    return Subquery(queryset.order_by().annotate(n=_RowCount()).values("n"))


def _ahead_count(*, period: str, start: datetime.date, domain=None):
    """How many board rows have more points than the outer row (``OuterRef("points")``).

    The whole-platform board counts every row above me in the board index (an index-only range scan) and
    subtracts the few that are off the board (staff, suspended users), found through the users' role and
    suspension indexes; joining every row ahead to its user instead made PostgreSQL scan all users. A
    domain board has to join users anyway (the domain lives on the user), through the domain index.
    """
    ahead = XPTotal.objects.filter(period=period, period_start=start, points__gt=OuterRef("points"))
    if domain is not None:
        return _count(_board_rows(period=period, start=start, domain=domain).filter(points__gt=OuterRef("points")))
    User = get_user_model()
    off_board = ahead.filter(Q(user__role__in=User.COURSE_OWNER_ROLES) | Q(user__is_suspended=True))
    return _count(ahead) - _count(off_board)


def _my_standing(user_id: UUID, period: str, start: datetime.date, domain=None) -> QuerySet:
    """My points on a board and how many of its rows are ahead of me: at most one row (unique user, period,
    period_start)."""
    return (
        XPTotal.objects.filter(user_id=user_id, period=period, period_start=start)
        .annotate(ahead=_ahead_count(period=period, start=start, domain=domain))
        .values("points", "ahead")
    )


# My standing on the whole-platform board, compiled once (common.precompiled): the user, the period and its first
# day vary (the period and the day appear in each counting subquery too).
_MY_STANDING = PrecompiledQuery(
    _my_standing,
    placeholder=UUID(int=0),
    field=XPTotal._meta.get_field("user"),
    also=(
        ("placeholder", XPTotal._meta.get_field("period")),
        (datetime.date(1900, 1, 1), XPTotal._meta.get_field("period_start")),
    ),
)


def leaderboard_get(*, period: str, domain=None, limit: int, viewer=None, now: datetime.datetime | None = None):
    """Top ``limit`` of the current period with RANK() (ties share a rank) and the viewer's own rank.

    Two queries: the top rows (an index range scan of the board, stopped at ``limit``), and the
    viewer's points together with how many rows are ahead of them.
    """
    window = period_window(period, now or timezone.now())
    rows = leaderboard_rows(window=window, domain=domain)
    top = list(
        rows.select_related("user")
        .only("points", "user_id", "user__id", "user__full_name")
        .annotate(rank=Window(Rank(), order_by=F("points").desc()))
        .order_by("-points", "user_id")[:limit]
    )
    me = leaderboard_me_get(viewer=viewer, window=window, domain=domain) if viewer is not None else None
    return Leaderboard(window=window, results=top, me=me)


def leaderboard_me_get(*, viewer, window: PeriodWindow, domain=None) -> LeaderboardMe | None:
    """The viewer's points and rank on a board (one query); None when not signed in."""
    if not viewer.is_authenticated:
        return None
    # At most one row; slicing avoids first()'s ORDER BY pk.
    if domain is None:
        rows = _MY_STANDING.dicts(viewer.pk, window.period, window.start, using=_MY_STANDING.db_for_read(), limit=1)
    else:
        rows = list(_my_standing(viewer.pk, window.period, window.start, domain)[:1])
    mine = rows[0] if rows else None
    if mine is None:
        return LeaderboardMe(rank=None, points=0)
    if _on_board(viewer, domain):
        return LeaderboardMe(rank=(mine["ahead"] or 0) + 1, points=mine["points"])
    return LeaderboardMe(rank=None, points=mine["points"])


@dataclass
class XPSummary:
    total: int
    this_week: int
    this_month: int
    events: list[dict]  # rows of XP_EVENT_ROW_FIELDS, newest first


XP_EVENT_ROW_FIELDS = ("id", "type", "points", "timestamp", "source_type", "source_id")


# My latest XP events (xp_summary_get), compiled once per limit (common.precompiled).
_LATEST_XP_EVENTS = PrecompiledQuery(
    lambda user_id: XPEvent.objects.filter(user_id=user_id).order_by("-timestamp").values(*XP_EVENT_ROW_FIELDS),
    placeholder=UUID(int=0),
    field=XPEvent._meta.get_field("user"),
)


def _current_totals(user_id: UUID, *starts: datetime.date) -> QuerySet:
    """My roll-ups of the periods now running: ``starts`` are their first days, in ``XPTotal.Period`` order."""
    current = Q()
    for period, start in zip(XPTotal.Period.values, starts, strict=True):
        current |= Q(period=period, period_start=start)
    return XPTotal.objects.filter(current, user_id=user_id).values("period", "points")


# My current totals (xp_summary_get), compiled once: the user and each period's first day vary.
_CURRENT_TOTALS = PrecompiledQuery(
    _current_totals,
    placeholder=UUID(int=0),
    field=XPTotal._meta.get_field("user"),
    also=tuple(
        (datetime.date(1900, 1, day), XPTotal._meta.get_field("period_start"))
        for day in range(1, len(XPTotal.Period.values) + 1)
    ),
)


def xp_summary_get(*, user, limit: int, now: datetime.datetime | None = None) -> XPSummary:
    """My totals (from the roll-ups) and my latest events: two queries."""
    now = now or timezone.now()
    starts = [period_window(period, now).start for period in XPTotal.Period.values]
    rows = _CURRENT_TOTALS.dicts(user.pk, *starts, using=_CURRENT_TOTALS.db_for_read())
    points = {row["period"]: row["points"] for row in rows}
    events = _LATEST_XP_EVENTS.dicts(user.pk, using=_LATEST_XP_EVENTS.db_for_read(), limit=limit)
    return XPSummary(
        total=points.get(XPTotal.Period.ALL_TIME, 0),
        this_week=points.get(XPTotal.Period.WEEKLY, 0),
        this_month=points.get(XPTotal.Period.MONTHLY, 0),
        events=events,
    )


def badges_for_user(*, user) -> QuerySet[Badge]:
    """Every badge, with ``awarded_at`` set on the ones ``user`` has earned (None otherwise)."""
    awarded = UserBadge.objects.filter(user=user, badge=OuterRef("pk")).values("awarded_at")[:1]
    return Badge.objects.annotate(awarded_at=Subquery(awarded)).order_by("position", "code")


# --- streaks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Streak:
    current: int  # consecutive learning days ending today, or yesterday while today is still open
    longest: int
    today_counted: bool


def _learning_days_of(lessons_user_id: UUID, quizzes_user_id: UUID, *, zone: datetime.tzinfo) -> QuerySet:
    """The distinct local days of a learner's lesson completions UNION those of their quiz passes (``day`` rows);
    the user's id twice, one per half of the UNION."""
    lessons = (
        LessonProgress.objects.filter(user_id=lessons_user_id)
        .annotate(day=TruncDate("completed_at", tzinfo=zone))
        .values("day")
        .order_by()
        .distinct()
    )
    quizzes = (
        QuizAttempt.objects.filter(user_id=quizzes_user_id, passed=True)
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("day")
        .order_by()
        .distinct()
    )
    return lessons.union(quizzes)


@functools.cache
def _learning_days_query(zone: datetime.tzinfo) -> PrecompiledQuery:
    """``_learning_days_of`` compiled once per process and zone: the zone's name is a parameter of the SQL
    fixed when it is compiled (TIME_ZONE is fixed in a running process; tests override it)."""
    return PrecompiledQuery(
        lambda lessons_user_id, quizzes_user_id: _learning_days_of(lessons_user_id, quizzes_user_id, zone=zone),
        placeholder=UUID(int=0),
        field=LessonProgress._meta.get_field("user"),
        also=((UUID(int=1), QuizAttempt._meta.get_field("user")),),
    )


def learning_days(*, user) -> set[datetime.date]:
    """Local days (TIME_ZONE) on which ``user`` completed a lesson or passed a quiz: read from that activity
    itself, so there is no second record to keep in step. One query (a UNION of two distinct day lists),
    compiled once (``common.precompiled``): it runs with every streak badge check."""
    query = _learning_days_query(local_zone())
    return {day for (day,) in query.rows(user.pk, user.pk, using=query.db_for_read())}


def streak_get(*, user, today: datetime.date | None = None) -> Streak:
    days = learning_days(user=user)
    today = today or local_today()
    longest = run = 0
    previous = None
    for day in sorted(days):
        run = run + 1 if previous is not None and day - previous == datetime.timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    # Today still counts as open: a streak that reached yesterday stands until today ends.
    end = today if today in days else today - datetime.timedelta(days=1)
    current = 0
    while end - datetime.timedelta(days=current) in days:
        current += 1
    return Streak(current=current, longest=longest, today_counted=today in days)


def streak_at(*, user, moment: datetime.datetime) -> int:
    """The current streak as of the local day ``moment`` falls on (badge rules)."""
    return streak_get(user=user, today=local_date(moment)).current
