"""Sample views that exercise the shared plumbing in isolation from any feature app."""

from django.urls import include, path
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from common.exceptions import ConflictError, PaymentRequiredError, ServiceUnavailableError
from common.permissions import IsAdmin, IsInstructorOrAdmin, IsStudent
from common.ratelimit import rate_limit
from config.urls import urlpatterns as project_urlpatterns


class EchoSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=10)
    age = serializers.IntegerField(min_value=0)
    tags = serializers.ListField(child=serializers.CharField(max_length=3), required=False)


class EchoView(APIView):
    permission_classes = [AllowAny]

    def post(self, request):
        serializer = EchoSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)


class ServiceErrorView(APIView):
    permission_classes = [AllowAny]
    errors = {
        "conflict": ConflictError("Already done.", code="already_done"),
        "payment": PaymentRequiredError("Pay first."),
        "unavailable": ServiceUnavailableError("Gateway down.", code="gateway_down"),
    }

    def get(self, request, kind):
        raise self.errors[kind]


class CrashView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("boom")


class NumbersView(ListAPIView):
    permission_classes = [AllowAny]

    class NumberSerializer(serializers.Serializer):
        n = serializers.IntegerField()

    serializer_class = NumberSerializer

    def get_queryset(self):
        return [{"n": n} for n in range(250)]


class LimitedView(APIView):
    permission_classes = [AllowAny]

    @rate_limit(group="test.limited", rate="2/m")
    def post(self, request):
        return Response({"ok": True})


def role_view(permission):
    class RoleView(APIView):
        permission_classes = [permission]

        def get(self, request):
            return Response({"ok": True})

    return RoleView.as_view()


test_patterns = [
    path("echo/", EchoView.as_view()),
    path("service-error/<str:kind>/", ServiceErrorView.as_view()),
    path("crash/", CrashView.as_view()),
    path("numbers/", NumbersView.as_view()),
    path("limited/", LimitedView.as_view()),
    path("role/student/", role_view(IsStudent)),
    path("role/admin/", role_view(IsAdmin)),
    path("role/staff/", role_view(IsInstructorOrAdmin)),
]

urlpatterns = [path("api/test/", include(test_patterns)), *project_urlpatterns]
handler404 = "common.views.handler404"
handler500 = "common.views.handler500"


class DataErrorView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        from django.db import DataError

        raise DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")


urlpatterns.insert(0, path("api/test/data-error/", DataErrorView.as_view()))
