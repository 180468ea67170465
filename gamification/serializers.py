"""Shapes of the gamification API (query parameters and responses)."""

from __future__ import annotations

import datetime

from django.core.validators import slug_re
from rest_framework import serializers

from catalog.models import DOMAIN_SLUG_UNKNOWN, Domain
from common.serializers import datetime_representation
from gamification.models import Badge, XPEvent, XPTotal

LEADERBOARD_DEFAULT_LIMIT = 10
LEADERBOARD_MAX_LIMIT = 100
XP_EVENTS_DEFAULT_LIMIT = 20
XP_EVENTS_MAX_LIMIT = 100


class ClampedLimitField(serializers.IntegerField):
    """An integer ``limit`` where out-of-range values are clamped, never an error (API convention)."""

    def __init__(self, *, default: int, maximum: int, **kwargs):
        self.maximum = maximum
        super().__init__(default=default, required=False, help_text=f"1-{maximum}, default {default}", **kwargs)

    def to_internal_value(self, data) -> int:
        return min(max(super().to_internal_value(data), 1), self.maximum)


class DomainSlugField(serializers.SlugRelatedField):
    """A domain by slug, refused in the same words as the catalogue's ``?domain=`` filter."""

    default_error_messages = {"does_not_exist": DOMAIN_SLUG_UNKNOWN, "invalid": DOMAIN_SLUG_UNKNOWN}

    def to_internal_value(self, data):
        # Not a slug at all (PostgreSQL would refuse a NUL byte with a server error): no query needed.
        if not isinstance(data, str) or not slug_re.match(data):
            self.fail("does_not_exist")
        return super().to_internal_value(data)


class LeaderboardQuerySerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=XPTotal.Period.choices, default=XPTotal.Period.WEEKLY)
    domain = DomainSlugField(
        slug_field="slug", queryset=Domain.objects.all(), required=False, help_text="A domain's slug."
    )
    limit = ClampedLimitField(default=LEADERBOARD_DEFAULT_LIMIT, maximum=LEADERBOARD_MAX_LIMIT)


class LeaderboardUserSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    full_name = serializers.CharField()


class LeaderboardEntrySerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    user = LeaderboardUserSerializer()
    points = serializers.IntegerField()


class LeaderboardMeSerializer(serializers.Serializer):
    rank = serializers.IntegerField(
        allow_null=True, help_text="Null when you have no XP in the period or are not on this board."
    )
    points = serializers.IntegerField(help_text="Your XP in the period.")


class LeaderboardSerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=XPTotal.Period.choices)
    starts_at = serializers.DateTimeField(allow_null=True, help_text="Null for all_time.")
    ends_at = serializers.DateTimeField(allow_null=True, help_text="Exclusive; null for all_time.")
    results = LeaderboardEntrySerializer(many=True)
    me = LeaderboardMeSerializer(allow_null=True, help_text="Null when not signed in.")


class XPQuerySerializer(serializers.Serializer):
    limit = ClampedLimitField(default=XP_EVENTS_DEFAULT_LIMIT, maximum=XP_EVENTS_MAX_LIMIT)


class XPEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = XPEvent
        fields = ["id", "type", "points", "timestamp", "source_type", "source_id"]


def xp_event_representation(row: dict, *, zone: datetime.tzinfo | None = None) -> dict:
    """``XPEventSerializer(event).data`` for a ``.values()`` row of the same fields (the "my XP" hot path);
    ``zone``: ``display_zone()``, looked up once for the page (``datetime_representation``)."""
    return {
        "id": str(row["id"]),
        "type": row["type"],
        "points": row["points"],
        "timestamp": datetime_representation(row["timestamp"], zone),
        "source_type": row["source_type"],
        "source_id": str(row["source_id"]),
    }


class XPSummarySerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="All-time XP.")
    this_week = serializers.IntegerField(help_text="XP in the current ISO week (TIME_ZONE).")
    this_month = serializers.IntegerField(help_text="XP in the current calendar month (TIME_ZONE).")
    events = XPEventSerializer(many=True, help_text="Most recent first, at most `limit`.")


class BadgeSerializer(serializers.ModelSerializer):
    earned = serializers.SerializerMethodField()
    awarded_at = serializers.DateTimeField(allow_null=True, read_only=True)

    class Meta:
        model = Badge
        fields = [
            "id",
            "code",
            "name",
            "description",
            "icon",
            "rule_type",
            "event_type",
            "threshold",
            "earned",
            "awarded_at",
        ]

    def get_earned(self, badge: Badge) -> bool:
        return badge.awarded_at is not None


class StreakSerializer(serializers.Serializer):
    current = serializers.IntegerField(
        help_text="Consecutive learning days up to today (or yesterday, today still open)."
    )
    longest = serializers.IntegerField(help_text="The longest run of consecutive learning days ever.")
    today_counted = serializers.BooleanField(help_text="Whether today is already a learning day.")
