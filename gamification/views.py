"""Gamification API: the public leaderboard, and my XP and badges."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.db_router import lag_tolerant
from common.http_cache import ConditionalReadMixin, cached_read, scope_register, viewer_is_anonymous
from common.timeutils import display_zone
from gamification.models import XPTotal
from gamification.periods import period_window
from gamification.selectors import badges_for_user, leaderboard_get, leaderboard_me_get, streak_get, xp_summary_get
from gamification.serializers import (
    BadgeSerializer,
    LeaderboardQuerySerializer,
    LeaderboardSerializer,
    StreakSerializer,
    XPQuerySerializer,
    XPSummarySerializer,
    xp_event_representation,
)

# How old a cached board may be: standings move with every XP award, which bumps nothing.
LEADERBOARD_CACHE_SECONDS = 30
LEADERBOARD_SCOPE = scope_register("leaderboard")


class LeaderboardView(ConditionalReadMixin, APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="leaderboard_retrieve",
        tags=["gamification"],
        parameters=[LeaderboardQuerySerializer],
        responses=LeaderboardSerializer,
        summary="Leaderboard of the current week, month or all time",
    )
    @lag_tolerant
    def get(self, request: Request) -> Response:
        # The board is the same for everyone for up to LEADERBOARD_CACHE_SECONDS; `me` is the viewer's own.
        now = timezone.now()
        period = request.query_params.get("period", XPTotal.Period.WEEKLY)
        window = period_window(period, now) if period in XPTotal.Period.values else None
        variant = f"board:{window.start}" if window is not None else "board"
        return cached_read(
            self,
            request,
            scope=LEADERBOARD_SCOPE,
            variants=(variant,),
            timeout=LEADERBOARD_CACHE_SECONDS,
            build=lambda: Response(LeaderboardSerializer(self._board(request, now)).data),
            public_data=lambda data: (variant, {**data, "me": None}),
            overlay=None if viewer_is_anonymous(request) else lambda data: self._me_overlay(request, window, data),
            enabled=window is not None,
            # A new period starts a new board at once (ends_at is None for all time).
            current_until=window.ends_at if window is not None else None,
        )

    @staticmethod
    def _query(request: Request) -> dict:
        query = LeaderboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data

    def _board(self, request: Request, now) -> dict:
        board = leaderboard_get(**self._query(request), viewer=request.user, now=now)
        return {
            "period": board.window.period,
            "starts_at": board.window.starts_at,
            "ends_at": board.window.ends_at,
            "results": board.results,
            "me": board.me,
        }

    def _me_overlay(self, request: Request, window, data: dict) -> dict:
        # A stored board exists only for a query string that was valid when it was built (the entry's key holds
        # the whole of it), so only a domain, which may have gone since, is looked up again.
        domain = self._query(request).get("domain") if "domain" in request.query_params else None
        me = leaderboard_me_get(viewer=request.user, window=window, domain=domain)
        data["me"] = {"rank": me.rank, "points": me.points}  # LeaderboardMeSerializer's fields, both integers
        return data


class MyXPView(APIView):
    @extend_schema(
        operation_id="gamification_xp_retrieve",
        parameters=[XPQuerySerializer],
        responses=XPSummarySerializer,
        summary="My XP: totals and most recent events",
    )
    def get(self, request: Request) -> Response:
        query = XPQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        summary = xp_summary_get(user=request.user, **query.validated_data)
        zone = display_zone()
        # XPSummarySerializer's bytes (the documented response), written without a serializer tree per event
        # (a hot personal read; gamification/tests/test_api_me.py compares the two).
        return Response(
            {
                "total": summary.total,
                "this_week": summary.this_week,
                "this_month": summary.this_month,
                "events": [xp_event_representation(row, zone=zone) for row in summary.events],
            }
        )


class MyBadgesView(generics.ListAPIView):
    """Every badge; the ones I have earned carry ``earned: true`` and ``awarded_at``."""

    serializer_class = BadgeSerializer
    filter_backends: list = []

    def get_queryset(self):
        return badges_for_user(user=self.request.user)


class MyStreakView(APIView):
    """A learning day is a local day (TIME_ZONE) with a completed lesson or a passed quiz."""

    @extend_schema(
        operation_id="gamification_streak_retrieve", responses=StreakSerializer, summary="My learning streak"
    )
    def get(self, request: Request) -> Response:
        return Response(StreakSerializer(streak_get(user=request.user)).data)
