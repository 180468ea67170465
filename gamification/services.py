"""Awarding XP and badges, reversing XP, and rebuilding the leaderboard roll-ups from the ledger.

``xp_award`` and ``xp_reverse_course`` are the only writers of ``XPEvent``, ``XPTotal`` and
``UserBadge``: the events, the roll-ups and any badge earned commit (or roll back) together, inside the
caller's transaction.

Rules of a reversal (a refunded course): every standing award whose source belongs to the course
(its lessons, module quizzes, the course itself, forum posts and accepted answers in it) gets exactly
one compensating event, counted in the award's own week and month. A source pays once for life: after a
re-enrollment, the reversed sources do not pay again (only sources never paid do). Badges already earned
are kept (they record what the learner did then), but event-count badges count only standing awards.
"""

from __future__ import annotations

import datetime
import functools
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models, router, transaction
from django.db.models import Case, Count, F, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.utils import timezone

from catalog.models import Lesson, Module
from common.precompiled import PrecompiledQuery
from common.services import model_insert_if_absent
from common.timeutils import local_day_start, local_zone
from forum.models import Post, Reply
from gamification.models import ALL_TIME_START, Badge, UserBadge, XPEvent, XPTotal
from gamification.periods import period_start
from gamification.selectors import streak_at

# Forum XP shares one daily cap: it is the only XP a user can farm by writing more.
FORUM_TYPES = frozenset({XPEvent.Type.FORUM_POST, XPEvent.Type.ANSWER_ACCEPTED})
# The activity a learning day is made of (gamification.selectors.learning_days): streak badges are checked then.
STREAK_TYPES = frozenset({XPEvent.Type.LESSON_COMPLETE, XPEvent.Type.QUIZ_PASS})


def _lock_users(user_ids) -> None:
    # Serialises a user's awards (and the roll-up repair), so the forum cap and badge thresholds always
    # count every committed event. FOR NO KEY UPDATE does not conflict with the FOR KEY SHARE lock that
    # the sender's own insert (a post or progress row pointing at the user) holds, so this cannot
    # deadlock with it. Several users are locked in primary-key order.
    list(
        get_user_model().objects.select_for_update(no_key=True).filter(pk__in=user_ids).order_by("pk").values_list("pk")
    )


# The award's fixed-shape statements, compiled to SQL once per process (common.precompiled): compiling them
# cost more CPU than PostgreSQL needs to run them.
_USER_LOCK = PrecompiledQuery(
    lambda user_id: get_user_model().objects.select_for_update(no_key=True).filter(pk=user_id).values("pk"),
    placeholder=uuid.UUID(int=0),
    field=get_user_model()._meta.pk,
)


def _lock_user(user) -> None:
    """``_lock_users([user.pk])``: the same row lock, one precompiled statement."""
    _USER_LOCK.rows(user.pk, using=router.db_for_write(get_user_model()))


# Today's forum XP of a user: the user and the start of their local day vary.
_FORUM_POINTS_SINCE = PrecompiledQuery(
    lambda user_id, since: (
        XPEvent.objects.filter(user_id=user_id, type__in=sorted(FORUM_TYPES), timestamp__gte=since)
        .order_by()
        .values("user_id")
        .annotate(total=Sum("points"))
        .values("total")
    ),
    placeholder=uuid.UUID(int=0),
    field=XPEvent._meta.get_field("user"),
    also=((datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC), XPEvent._meta.get_field("timestamp")),),
)


def _forum_points_allowed(*, user, points: int, at: datetime.datetime) -> int:
    rows = _FORUM_POINTS_SINCE.rows(user.pk, local_day_start(at), using=_FORUM_POINTS_SINCE.db_for_read())
    earned_today = (rows[0][0] if rows else None) or 0
    return max(0, min(points, settings.XP_FORUM_DAILY_CAP - earned_today))


def _rollups_add(*, user_id, points: int, at: datetime.datetime) -> int:
    """Add ``points`` to the user's week, month and all-time rows in one atomic upsert; returns the new
    all-time total."""
    # The ORM's bulk_create(update_conflicts=True) can only overwrite a column, not increment it; this
    # INSERT .. ON CONFLICT DO UPDATE increments in the database, so concurrent awards never lose points.
    meta = XPTotal._meta
    names = ["id", "user", "period", "period_start", "points", "updated_at"]
    now = timezone.now()
    params: list = []
    for period in XPTotal.Period.values:
        row = [uuid.uuid4(), user_id, period, period_start(period, at), points, now]
        params += [
            meta.get_field(name).get_db_prep_value(value, connection) for name, value in zip(names, row, strict=True)
        ]
    table = connection.ops.quote_name(meta.db_table)
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(XPTotal.Period.values))
    # The table name comes from the model's metadata and every value is a parameter.
    sql = (
        f"INSERT INTO {table} (id, user_id, period, period_start, points, updated_at) VALUES {rows} "  # noqa: S608
        "ON CONFLICT (user_id, period, period_start) "
        f"DO UPDATE SET points = {table}.points + EXCLUDED.points, updated_at = EXCLUDED.updated_at "
        "RETURNING period, points"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())[XPTotal.Period.ALL_TIME]


def _rollups_subtract(*, user_id, points: int, at: datetime.datetime) -> None:
    """Take ``points`` back from the week, month and all-time rows that counted an award made at ``at``."""
    periods = Q()
    for period in XPTotal.Period.values:
        periods |= Q(period=period, period_start=period_start(period, at))
    XPTotal.objects.filter(periods, user_id=user_id).update(points=F("points") - points, updated_at=timezone.now())
    # A roll-up row exists only while its points are positive, as if the reversed awards never were.
    XPTotal.objects.filter(user_id=user_id, points=0).delete()


def _badge_candidates(event_type: str, user_id, counted_user_id) -> QuerySet:
    """The badges ``user_id`` has not earned whose rule an event of ``event_type`` may satisfy, as rows of every
    column with ``standing``: for an event-count rule, how many standing (not reversed) events of the type the
    user has (``counted_user_id``, the same user: each value appears once in the SQL), else null. The count is a
    subquery PostgreSQL runs once, and only when an event-count row needs it."""
    rules = Q(rule_type=Badge.RuleType.XP_TOTAL) | Q(rule_type=Badge.RuleType.EVENT_COUNT, event_type=event_type)
    if event_type in STREAK_TYPES:
        rules |= Q(rule_type=Badge.RuleType.STREAK)
    standing = (
        XPEvent.objects.filter(user_id=counted_user_id, type=event_type, reversal__isnull=True)
        .order_by()
        .values("user_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Badge.objects.filter(rules)
        .exclude(awards__user=user_id)
        .annotate(
            standing=Case(
                When(rule_type=Badge.RuleType.EVENT_COUNT, then=Coalesce(Subquery(standing), 0)),
                output_field=models.IntegerField(),
            )
        )
        .values(*(field.attname for field in Badge._meta.concrete_fields), "standing")
    )


# One per event type (the type is part of the SQL's shape); only the user varies.
_BADGE_CANDIDATES = {
    event_type: PrecompiledQuery(
        functools.partial(_badge_candidates, event_type),
        placeholder=uuid.UUID(int=0),
        # The values are a user's id, prepared as any UUID primary key (the field must be the badge's model's).
        field=Badge._meta.pk,
        also=((uuid.UUID(int=1), XPEvent._meta.get_field("user")),),
    )
    for event_type in XPEvent.Type.values
}
_BADGE_COLUMNS = tuple(field.attname for field in Badge._meta.concrete_fields)


def _badges_award(*, user, event_type: str, at: datetime.datetime, all_time_points: int | None = None) -> list[Badge]:
    """Award every not-yet-earned badge whose rule this event may have satisfied.

    ``all_time_points`` is the all-time roll-up the caller has just written (read here when not given).
    """
    query = _BADGE_CANDIDATES[event_type]
    using = query.db_for_read()
    rows = query.rows(user.pk, user.pk, using=using)
    if not rows:
        return []
    candidates = [Badge.from_db(using, _BADGE_COLUMNS, row[:-1]) for row in rows]
    values: dict[str, int] = {}
    if all_time_points is not None:
        values[Badge.RuleType.XP_TOTAL] = all_time_points
    elif any(badge.rule_type == Badge.RuleType.XP_TOTAL for badge in candidates):
        values[Badge.RuleType.XP_TOTAL] = (
            XPTotal.objects.filter(user=user, period=XPTotal.Period.ALL_TIME, period_start=ALL_TIME_START)
            .values_list("points", flat=True)
            .first()
            or 0
        )
    counts = [row[-1] for row in rows if row[-1] is not None]
    if counts:
        values[Badge.RuleType.EVENT_COUNT] = counts[0]
    if any(badge.rule_type == Badge.RuleType.STREAK for badge in candidates):
        values[Badge.RuleType.STREAK] = streak_at(user=user, moment=at)
    earned = [badge for badge in candidates if values[badge.rule_type] >= badge.threshold]
    if earned:
        # The unique (user, badge) constraint keeps a badge single even if another path raced us here.
        UserBadge.objects.bulk_create(
            [UserBadge(user=user, badge=badge, awarded_at=at) for badge in earned], ignore_conflicts=True
        )
    return earned


def xp_award(*, user, type: str, source: models.Model, occurred_at: datetime.datetime | None = None) -> XPEvent | None:
    """Pay ``user`` the XP of ``type`` for ``source``, once per (user, type, source).

    Insert-or-nothing: returns the new event, or None when this source has already paid. The
    leaderboard roll-ups and any badges earned are written in the same transaction, so new XP shows
    on the leaderboard as soon as the caller commits. Forum XP is clipped to the daily cap; a capped
    award is still recorded (with 0 points) so that source never pays later.
    """
    if type not in XPEvent.Type.values:
        raise ValueError(f"Unknown XP event type: {type!r}")
    at = occurred_at or timezone.now()
    # No savepoint inside the caller's transaction: nothing here expects a database error (the ledger insert
    # skips a paid source with ON CONFLICT DO NOTHING), so any error rolls the whole write back, as it should.
    with transaction.atomic(savepoint=False):
        _lock_user(user)
        points = settings.XP_POINTS[type]
        if type in FORUM_TYPES:
            points = _forum_points_allowed(user=user, points=points, at=at)
        event = XPEvent(
            user=user, type=type, points=points, timestamp=at, source_type=source._meta.label_lower, source_id=source.pk
        )
        if not model_insert_if_absent(instance=event):
            # The unique (user, type, source_id) constraint: this source already paid (maybe concurrently).
            return None
        total = _rollups_add(user_id=user.pk, points=points, at=at) if points else None
        _badges_award(user=user, event_type=type, at=at, all_time_points=total)
    return event


def _course_sources(course) -> Q:
    """The ledger rows whose source belongs to ``course``."""
    types = XPEvent.Type
    return (
        Q(type=types.LESSON_COMPLETE, source_id__in=Lesson.objects.filter(module__course=course).values("pk"))
        | Q(type=types.QUIZ_PASS, source_id__in=Module.objects.filter(course=course).values("pk"))
        | Q(type=types.COURSE_COMPLETE, source_id=course.pk)
        | Q(type=types.FORUM_POST, source_id__in=Post.objects.filter(course=course).values("pk"))
        | Q(type=types.ANSWER_ACCEPTED, source_id__in=Reply.objects.filter(post__course=course).values("pk"))
    )


@transaction.atomic
def xp_reverse_course(*, user, course) -> list[XPEvent]:
    """Take back every XP award ``user`` still holds from ``course``. Returns the reversal events.

    Exactly once per award, even when called again or concurrently: the user lock serialises callers
    and the unique (user, type, source) key of the reversal refuses a second one.
    """
    _lock_user(user)
    awards = list(
        XPEvent.objects.filter(_course_sources(course), user=user, points__gt=0, reversal__isnull=True).order_by(
            "timestamp"
        )
    )
    if not awards:
        return []
    now = timezone.now()
    reversals = [
        XPEvent(
            user=user,
            type=XPEvent.Type.REVERSAL,
            points=-award.points,
            timestamp=now,
            source_type=XPEvent._meta.label_lower,
            source_id=award.pk,
            reverses=award,
        )
        for award in awards
    ]
    XPEvent.objects.bulk_create(reversals)
    for award in awards:
        # Counted where the award was counted: the award's week and month lose exactly what they gained.
        _rollups_subtract(user_id=user.pk, points=award.points, at=award.timestamp)
    return reversals


# Users per step of the rebuild: bounds its memory (one step's ledger sums and roll-ups, never the whole
# table's) and, when repairing, how many users' awards wait on it at once, and for how long.
REBUILD_CHUNK_USERS = 500
REPAIR_BATCH_USERS = 100
# Examples of each kind of drift kept for the report; the counts are always complete.
DRIFT_SAMPLE = 100


@dataclass
class RollupDrift:
    """Differences between the roll-ups and the ledger: complete counts, and up to ``DRIFT_SAMPLE`` examples
    of each kind keyed by (user_id, period, period_start), so a report's memory does not grow with the drift.
    """

    missing: dict[tuple, int] = field(default_factory=dict)  # in the ledger, absent from the roll-ups
    extra: dict[tuple, int] = field(default_factory=dict)  # in the roll-ups, not backed by the ledger
    wrong: dict[tuple, tuple[int, int]] = field(default_factory=dict)  # key -> (stored, expected)
    missing_count: int = 0
    extra_count: int = 0
    wrong_count: int = 0
    rows_expected: int = 0

    @property
    def count(self) -> int:
        return self.missing_count + self.extra_count + self.wrong_count

    def add(self, other: RollupDrift) -> None:
        for kind in ("missing", "extra", "wrong"):
            sample = getattr(self, kind)
            for key, value in getattr(other, kind).items():
                if len(sample) >= DRIFT_SAMPLE:
                    break
                sample[key] = value
            setattr(self, f"{kind}_count", getattr(self, f"{kind}_count") + getattr(other, f"{kind}_count"))
        self.rows_expected += other.rows_expected


def _rollups_from_ledger(users: Q) -> dict[tuple, int]:
    """What the roll-ups of the users matching ``users`` (a filter on ``user_id``) should hold, summed in SQL."""
    tz = local_zone()
    paid = XPEvent.objects.filter(users).exclude(points=0).order_by()
    # A reversal counts in the periods of the award it reverses (see xp_reverse_course).
    counted_at = Coalesce("reverses__timestamp", "timestamp")
    expected: dict[tuple, int] = {}
    for period, trunc in ((XPTotal.Period.WEEKLY, TruncWeek), (XPTotal.Period.MONTHLY, TruncMonth)):
        rows = (
            paid.annotate(start=trunc(counted_at, output_field=models.DateField(), tzinfo=tz))
            .values("user_id", "start")
            .annotate(total=Sum("points"))
        )
        for row in rows.iterator(chunk_size=5000):
            expected[(row["user_id"], period, row["start"])] = row["total"]
    for row in paid.values("user_id").annotate(total=Sum("points")).iterator(chunk_size=5000):
        expected[(row["user_id"], XPTotal.Period.ALL_TIME, ALL_TIME_START)] = row["total"]
    # Fully reversed periods have no row, exactly as the incremental path leaves them.
    return {key: total for key, total in expected.items() if total}


def _rollups_compare(users: Q) -> tuple[RollupDrift, dict[tuple, uuid.UUID]]:
    """The drift of the users matching ``users``, complete (not sampled), and the stored rows' primary keys."""
    expected = _rollups_from_ledger(users)
    drift = RollupDrift(rows_expected=len(expected))
    pks: dict[tuple, uuid.UUID] = {}
    for pk, user_id, period, start, points in (
        XPTotal.objects.filter(users)
        .values_list("pk", "user_id", "period", "period_start", "points")
        .iterator(chunk_size=5000)
    ):
        key = (user_id, period, start)
        pks[key] = pk
        if key not in expected:
            drift.extra[key] = points
        elif expected[key] != points:
            drift.wrong[key] = (points, expected[key])
    drift.missing = {key: points for key, points in expected.items() if key not in pks}
    drift.missing_count, drift.extra_count, drift.wrong_count = len(drift.missing), len(drift.extra), len(drift.wrong)
    return drift, pks


@contextmanager
def _snapshot():
    """A transaction whose reads all see one moment (REPEATABLE READ on PostgreSQL).

    An award writes its event and its roll-ups in one transaction, so inside one snapshot the ledger and
    the roll-ups agree however many awards commit meanwhile: a check needs no lock (plain reads take only
    ACCESS SHARE, which blocks nothing but DDL). Inside a caller's transaction, that one is used as it is.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


@transaction.atomic
def _rollups_repair(*, user_ids: list) -> None:
    """Rewrite the drifted roll-up rows of ``user_ids`` to match the ledger, touching no other row.

    Takes the users' award lock first (in primary-key order; an award holds one user's lock at a time, so
    no cycle can form), so no award of theirs is in flight; READ COMMITTED then shows every award committed
    before it, and awards arriving meanwhile wait for this short transaction, then apply their increment
    on top of the repaired rows. Other users' awards never wait.
    """
    _lock_users(user_ids)
    drift, pks = _rollups_compare(Q(user_id__in=user_ids))
    if not drift.count:
        return
    now = timezone.now()
    XPTotal.objects.filter(pk__in=[pks[key] for key in drift.extra]).delete()
    XPTotal.objects.bulk_update(
        [XPTotal(pk=pks[key], points=new, updated_at=now) for key, (_, new) in drift.wrong.items()],
        ["points", "updated_at"],
        batch_size=1000,
    )
    XPTotal.objects.bulk_create(
        [
            XPTotal(user_id=user_id, period=period, period_start=start, points=points, updated_at=now)
            for (user_id, period, start), points in drift.missing.items()
        ],
        batch_size=1000,
    )


def _user_ranges(size: int):
    """Consecutive ranges of user ids, ``size`` users each, as filters on ``user_id`` (keyset paging)."""
    users = get_user_model().objects.order_by("pk")
    after = None
    while True:
        ids = list((users if after is None else users.filter(pk__gt=after)).values_list("pk", flat=True)[:size])
        if not ids:
            return
        # A range, not the list: it also covers a user created meanwhile between two listed ids.
        yield Q(user_id__lte=ids[-1]) & (Q() if after is None else Q(user_id__gt=after))
        after = ids[-1]


def leaderboards_rebuild(*, fix: bool, chunk_users: int = REBUILD_CHUNK_USERS) -> RollupDrift:
    """Compare every roll-up with the ledger; with ``fix``, repair the rows that differ.

    Works through the users ``chunk_users`` at a time, so memory is bounded by a chunk, not the ledger.
    Each chunk is compared inside one snapshot, without locks, so awards continue throughout; with ``fix``,
    a chunk's drifted users are then repaired under their award locks (``_rollups_repair``), in batches.
    """
    drift = RollupDrift()
    for users in _user_ranges(chunk_users):
        with _snapshot():
            found, _ = _rollups_compare(users)
        drift.add(found)
        if fix and found.count:
            drifted = sorted({key[0] for kind in (found.missing, found.extra, found.wrong) for key in kind})
            for start in range(0, len(drifted), REPAIR_BATCH_USERS):
                _rollups_repair(user_ids=drifted[start : start + REPAIR_BATCH_USERS])
    return drift
