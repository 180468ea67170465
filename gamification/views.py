"""Gamification API: the public leaderboard, and my XP and badges."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.db_router import lag_tolerant
from gamification.selectors import badges_for_user, leaderboard_get, streak_get, xp_summary_get
from gamification.serializers import (
    BadgeSerializer,
    LeaderboardQuerySerializer,
    LeaderboardSerializer,
    StreakSerializer,
    XPQuerySerializer,
    XPSummarySerializer,
    xp_event_representation,
)


class LeaderboardView(APIView):
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
        query = LeaderboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        board = leaderboard_get(**query.validated_data, viewer=request.user)
        body = {
            "period": board.window.period,
            "starts_at": board.window.starts_at,
            "ends_at": board.window.ends_at,
            "results": board.results,
            "me": board.me,
        }
        return Response(LeaderboardSerializer(body).data)


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
        # XPSummarySerializer's bytes (the documented response), written without a serializer tree per event
        # (a hot personal read; gamification/tests/test_api_me.py compares the two).
        return Response(
            {
                "total": summary.total,
                "this_week": summary.this_week,
                "this_month": summary.this_month,
                "events": [xp_event_representation(row) for row in summary.events],
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
