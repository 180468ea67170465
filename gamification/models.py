"""Gamification: the append-only XP ledger, per-period roll-ups for leaderboards, and badges.

``XPEvent`` is the truth; ``XPTotal`` is a derived, per-user-per-period sum maintained in the same
transaction as each award (``gamification.services.xp_award``) and recomputable from the ledger with
``manage.py rebuild_leaderboards``. Leaderboards read only the roll-ups, never the ledger.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from common.models import UUIDModel

# The single ``period_start`` of the all-time roll-up (a real date keeps the unique key NOT NULL).
ALL_TIME_START = datetime.date(1970, 1, 1)


class XPEvent(UUIDModel):
    """One award of XP. Rows are only ever inserted: corrections are new rows, not edits.

    A ``reversal`` takes one award back (a refunded course): its points are the award's, negated, its
    source is the award, and it counts in the leaderboard periods of the award it reverses, so a
    period's total is what was earned in it and still stands (never negative).
    """

    class Type(models.TextChoices):
        LESSON_COMPLETE = "lesson_complete", "Lesson completed"
        QUIZ_PASS = "quiz_pass", "Module quiz passed"
        COURSE_COMPLETE = "course_complete", "Course completed"
        FORUM_POST = "forum_post", "Forum post"
        ANSWER_ACCEPTED = "answer_accepted", "Forum answer accepted"
        REVERSAL = "reversal", "Award reversed"

    # No index of its own: (user, type, source_id) and (user, -timestamp) both lead with user_id, and a
    # third index on it only slowed every award.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="xp_events", db_index=False
    )
    type = models.CharField(max_length=20, choices=Type.choices)
    # Zero when the forum's daily cap was reached: the source is still recorded so it never pays later.
    # Negative only for a reversal.
    points = models.IntegerField()
    timestamp = models.DateTimeField()
    # What earned it, e.g. ("catalog.lesson", <lesson id>); every source in this project has a UUID pk.
    source_type = models.CharField(max_length=50)
    source_id = models.UUIDField()
    # The award a reversal takes back (also its source): one reversal per award, ever.
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="reversal", editable=False
    )

    class Meta:
        verbose_name = "XP event"
        ordering = ["-timestamp"]
        constraints = [
            # One source pays once, even when two requests race (the insert of the loser fails).
            models.UniqueConstraint(fields=["user", "type", "source_id"], name="gamification_xpevent_once"),
            models.CheckConstraint(
                condition=(Q(type="reversal") & Q(reverses__isnull=False) & Q(points__lte=0))
                | (~Q(type="reversal") & Q(reverses__isnull=True) & Q(points__gte=0)),
                name="gamification_xpevent_reversal_shape",
            ),
        ]
        indexes = [
            # "My recent XP" and the forum daily cap (sum of today's forum events).
            models.Index(fields=["user", "-timestamp"], name="gamification_xpevent_user_ts"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} +{self.points} {self.type}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("XP events are append-only; record a new event instead of editing one.")
        super().save(*args, **kwargs)


class XPTotal(UUIDModel):
    """A user's points in one leaderboard period: a roll-up of ``XPEvent`` kept in step by ``xp_award``."""

    class Period(models.TextChoices):
        WEEKLY = "weekly", "ISO week"
        MONTHLY = "monthly", "Calendar month"
        ALL_TIME = "all_time", "All time"

    # No index of its own: the unique (user, period, period_start) leads with user_id.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="xp_totals", db_index=False
    )
    period = models.CharField(max_length=10, choices=Period.choices)
    # Local date (TIME_ZONE) the period starts on: a Monday, a 1st, or ALL_TIME_START.
    period_start = models.DateField()
    points = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = "XP total"
        constraints = [
            models.UniqueConstraint(fields=["user", "period", "period_start"], name="gamification_xptotal_unique"),
        ]
        indexes = [
            # The leaderboard: one period's rows best-first (user id breaks ties deterministically),
            # and "how many are ahead of me" as a range of the same index.
            models.Index(fields=["period", "period_start", "-points", "user"], name="gamification_xptotal_board"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.period} {self.period_start}: {self.points}"


class Badge(UUIDModel):
    """A badge and the rule that earns it, stored as data so staff can add badges in the admin."""

    class RuleType(models.TextChoices):
        EVENT_COUNT = "event_count", "Number of XP events of a type"
        XP_TOTAL = "xp_total", "All-time XP"
        STREAK = "streak", "Current learning streak (days)"

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=255)
    # An icon name from the frontend's icon set (or an image URL).
    icon = models.CharField(max_length=200, blank=True)
    rule_type = models.CharField(max_length=20, choices=RuleType.choices)
    # For event_count rules: which XPEvent.type is counted. A streak rule's threshold is in days.
    event_type = models.CharField(max_length=20, choices=XPEvent.Type.choices, blank=True)
    threshold = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    position = models.PositiveSmallIntegerField(default=0, help_text="Display order.")

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(threshold__gte=1), name="gamification_badge_threshold_positive"),
            models.CheckConstraint(
                condition=(Q(rule_type="event_count") & ~Q(event_type=""))
                | (Q(rule_type__in=["xp_total", "streak"]) & Q(event_type="")),
                name="gamification_badge_rule_consistent",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class UserBadge(UUIDModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badges")
    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="awards")
    awarded_at = models.DateTimeField()

    class Meta:
        ordering = ["-awarded_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "badge"], name="gamification_userbadge_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.badge_id}"
