"""The accounts API: own profile, onboarding, and user management for admins."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.filters import AdminUserFilter
from accounts.models import User
from accounts.representations import me_representation
from accounts.serializers import (
    AdminUserOutputSerializer,
    MeOutputSerializer,
    MeUpdateInputSerializer,
    OnboardingInputSerializer,
    PromoteInputSerializer,
    SuspendInputSerializer,
)
from common.permissions import IsAdmin
from common.serializers import ErrorSerializer

_CONFLICT = OpenApiResponse(ErrorSerializer, description="The account is already in that state.")


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["auth"], responses=MeOutputSerializer)
    def get(self, request):
        # MeOutputSerializer's bytes from one flat row (a hot personal read; accounts.representations).
        return Response(me_representation(selectors.me_row(user=request.user)))

    @extend_schema(tags=["auth"], request=MeUpdateInputSerializer, responses=MeOutputSerializer)
    def patch(self, request):
        serializer = MeUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.user_profile_update(user=request.user, **serializer.validated_data)
        return Response(MeOutputSerializer(selectors.user_with_domain(user=user)).data)


class OnboardingView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["auth"],
        request=OnboardingInputSerializer,
        responses={
            200: MeOutputSerializer,
            403: OpenApiResponse(
                ErrorSerializer,
                description="`onboarding_not_for_staff`: onboarding is for students; staff never need it.",
            ),
        },
        description="Completes a student's onboarding (domain, branch, year of study). Instructors and admins "
        "have `onboarding_required: false` and are refused.",
    )
    def post(self, request):
        serializer = OnboardingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_onboarding_complete(user=request.user, **serializer.validated_data)
        return Response(MeOutputSerializer(selectors.user_with_domain(user=user)).data)


@extend_schema(
    tags=["admin"],
    summary="Users (admins)",
    description=(
        "Admins: every user, filtered by `role`, `suspended` (`true`/`false`) and `search` (part of the name or "
        "email), with their role, domain, suspension and onboarding state."
    ),
)
class AdminUserListView(generics.ListAPIView):
    permission_classes = [IsAdmin]
    serializer_class = AdminUserOutputSerializer
    filterset_class = AdminUserFilter
    ordering_fields = ["created_at", "email", "full_name", "role", "last_login"]

    def get_queryset(self):
        return selectors.users_for_admin()


class _AdminUserActionView(APIView):
    permission_classes = [IsAdmin]

    def get_user(self, pk) -> User:
        return get_object_or_404(User, pk=pk)

    def respond(self, user: User) -> Response:
        return Response(AdminUserOutputSerializer(selectors.user_with_domain(user=user)).data)


class AdminUserSuspendView(_AdminUserActionView):
    @extend_schema(
        tags=["admin"],
        summary="Suspend a user, with the reason",
        description=(
            "Admins. The user is refused everywhere at once (403 `account_suspended`, also with an old token or "
            "session). Suspended already → 409 `already_suspended`; oneself → 403 `cannot_suspend_self`. "
            "Recorded in the audit log (`user.suspend`)."
        ),
        request=SuspendInputSerializer,
        responses={200: AdminUserOutputSerializer, 409: _CONFLICT},
    )
    def post(self, request, pk):
        serializer = SuspendInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_suspend(actor=request.user, user=self.get_user(pk), **serializer.validated_data)
        return self.respond(user)


class AdminUserUnsuspendView(_AdminUserActionView):
    @extend_schema(
        tags=["admin"],
        summary="Reinstate a suspended user",
        description=(
            "Admins. Access comes back at once (sessions and tokens were never revoked); a user who is not "
            "suspended → 409 `not_suspended`. Recorded in the audit log (`user.unsuspend`)."
        ),
        request=None,
        responses={200: AdminUserOutputSerializer, 409: _CONFLICT},
    )
    def post(self, request, pk):
        user = services.user_unsuspend(actor=request.user, user=self.get_user(pk))
        return self.respond(user)


class AdminUserPromoteView(_AdminUserActionView):
    @extend_schema(
        tags=["admin"],
        summary="Change a user's role",
        description=(
            "Admins: `role` is `student`, `instructor` or `admin`; an admin removing their own admin role → 403 "
            "`cannot_demote_self`. Recorded in the audit log (`user.role_change`)."
        ),
        request=PromoteInputSerializer,
        responses=AdminUserOutputSerializer,
    )
    def post(self, request, pk):
        serializer = PromoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_change_role(actor=request.user, user=self.get_user(pk), **serializer.validated_data)
        return self.respond(user)
