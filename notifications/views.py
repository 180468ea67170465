"""HTTP layer of notifications and course announcements. Rules live in services and selectors."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from common.ratelimit import enforce_rate_limit, rate_limit
from common.serializers import ErrorSerializer
from notifications import selectors, services
from notifications.models import Kind
from notifications.serializers import (
    AnnouncementCreateSerializer,
    AnnouncementSerializer,
    NotificationListParamsSerializer,
    NotificationSerializer,
    PreferencesSerializer,
    ReadAllResultSerializer,
    UnreadCountSerializer,
    UnsubscribeParamsSerializer,
    UnsubscribeResultSerializer,
)

TAGS = ["notifications"]


def _write_limit(request) -> None:
    enforce_rate_limit(request, group="notifications.write", rate=settings.NOTIFICATIONS_WRITE_RATE)


class NotificationListView(GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer
    filter_backends: list = []

    @extend_schema(
        tags=TAGS,
        summary="My inbox",
        description=(
            "Any signed-in user: their notifications, newest first, optionally only the `unread` ones. `link` is "
            "a path of the web app."
        ),
        parameters=[NotificationListParamsSerializer],
        responses=NotificationSerializer(many=True),
    )
    def get(self, request):
        params = NotificationListParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = self.paginate_queryset(
            selectors.notification_list(user=request.user, unread=params.validated_data["unread"])
        )
        return self.get_paginated_response(NotificationSerializer(page, many=True).data)


class UnreadCountView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        responses=UnreadCountSerializer,
        summary="How many notifications are unread",
        description="Any signed-in user; exact under any concurrency (a count of the unread rows, no counter).",
    )
    def get(self, request):
        return Response({"unread": selectors.notification_unread_count(user=request.user)})


class NotificationReadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="Mark one notification read",
        description="Its recipient (someone else's is a 404); idempotent.",
        request=None,
        responses={200: NotificationSerializer, 404: ErrorSerializer},
    )
    def post(self, request, pk):
        _write_limit(request)
        notification = services.notification_mark_read(user=request.user, notification_id=pk)
        return Response(NotificationSerializer(notification).data)


class NotificationReadAllView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        request=None,
        responses=ReadAllResultSerializer,
        summary="Mark every notification read",
        description="Any signed-in user: answers how many were marked, and the unread count left (0).",
    )
    def post(self, request):
        _write_limit(request)
        marked = services.notifications_mark_all_read(user=request.user)
        return Response({"marked": marked, "unread": selectors.notification_unread_count(user=request.user)})


class PreferencesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        responses=PreferencesSerializer,
        summary="My notification preferences, per kind and channel",
        description="Any signed-in user: every kind with its `in_app` and `email` switches (all on by default).",
    )
    def get(self, request):
        return Response({"preferences": selectors.preference_list(user=request.user)})

    @extend_schema(
        tags=TAGS,
        request=PreferencesSerializer,
        responses=PreferencesSerializer,
        summary="Change preferences: the kinds listed, the channels given (others keep their value)",
    )
    def put(self, request):
        _write_limit(request)
        data = PreferencesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.preferences_update(user=request.user, changes=data.validated_data["preferences"])
        return Response({"preferences": selectors.preference_list(user=request.user)})


class UnsubscribeView(APIView):
    """The e-mail's unsubscribe link, without signing in: GET says what the token would turn off (for the web
    app's confirmation page), POST turns it off. POST is also the RFC 8058 one-click target of the
    ``List-Unsubscribe`` header (the body ``List-Unsubscribe=One-Click`` is not read). Credentials are ignored."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def _token(self, request) -> str:
        params = UnsubscribeParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        return params.validated_data["token"]

    @extend_schema(
        tags=TAGS,
        summary="What an unsubscribe link would turn off",
        description=(
            "No sign-in (credentials are ignored): the kind the e-mail's `token` is for and whether its e-mails "
            "are on, for the web app's confirmation page. Changes nothing. A malformed or forged token is 400 "
            "`unsubscribe_link_invalid`."
        ),
        parameters=[UnsubscribeParamsSerializer],
        responses={200: UnsubscribeResultSerializer, 400: ErrorSerializer},
    )
    @rate_limit(group="notifications.unsubscribe", rate=settings.NOTIFICATIONS_UNSUBSCRIBE_RATE, key="ip")
    def get(self, request):
        user_id, kind = services.unsubscribe_token_read(token=self._token(request))
        email = selectors.preference_email_enabled(user_id=user_id, kind=kind)
        return Response({"kind": kind, "label": Kind(kind).label, "email": email})

    @extend_schema(
        tags=TAGS,
        summary="Turn e-mail off for the link's kind",
        description=(
            "No sign-in (credentials are ignored); also the RFC 8058 one-click target of the `List-Unsubscribe` "
            "header (the body `List-Unsubscribe=One-Click` is not read). A malformed or forged token is 400 "
            "`unsubscribe_link_invalid`."
        ),
        parameters=[UnsubscribeParamsSerializer],
        request=None,
        responses={200: UnsubscribeResultSerializer, 400: ErrorSerializer},
    )
    @rate_limit(group="notifications.unsubscribe", rate=settings.NOTIFICATIONS_UNSUBSCRIBE_RATE, key="ip")
    def post(self, request):
        _, kind = services.notification_unsubscribe(token=self._token(request))
        return Response({"kind": kind, "label": Kind(kind).label, "email": False})


class AnnouncementListCreateView(GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = AnnouncementSerializer
    filter_backends: list = []

    @extend_schema(
        tags=["announcements"],
        summary="A course's announcements",
        description=(
            "The course's active learners, its instructor and admins; others who can see the course get 403 "
            "`announcement_not_allowed`."
        ),
        responses=AnnouncementSerializer(many=True),
    )
    def get(self, request, pk):
        course = selectors.announcement_course_get(user=request.user, course_id=pk)
        page = self.paginate_queryset(selectors.announcement_list(course=course))
        return self.get_paginated_response(AnnouncementSerializer(page, many=True).data)

    @extend_schema(
        tags=["announcements"],
        summary="Post an announcement",
        description=(
            "The course's instructor or an admin; every active learner is notified. Rate-limited by "
            "`ANNOUNCEMENTS_POST_RATE`."
        ),
        request=AnnouncementCreateSerializer,
        responses={201: AnnouncementSerializer},
    )
    def post(self, request, pk):
        enforce_rate_limit(request, group="announcements.post", rate=settings.ANNOUNCEMENTS_POST_RATE)
        data = AnnouncementCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        course = selectors.announcement_course_get(user=request.user, course_id=pk, for_reading=False)
        announcement = services.announcement_create(author=request.user, course=course, **data.validated_data)
        return Response(AnnouncementSerializer(announcement).data, status=status.HTTP_201_CREATED)


class AnnouncementDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["announcements"],
        summary="Remove an announcement",
        description=(
            "The course's instructor or an admin; its inbox entries go too. An admin's removal is in the audit "
            "log (`announcement.delete`)."
        ),
        responses={204: OpenApiResponse(description="Removed."), 403: ErrorSerializer},
    )
    def delete(self, request, pk):
        _write_limit(request)
        announcement = selectors.announcement_get(user=request.user, announcement_id=pk)
        services.announcement_delete(actor=request.user, announcement=announcement)
        return Response(status=status.HTTP_204_NO_CONTENT)
