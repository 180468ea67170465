"""Staff API: platform statistics, CSV reports and the audit log. Admins only."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from common.db_router import lag_tolerant, replica_reads_iter
from common.permissions import IsAdmin
from staff.reports import REPORT_NAMES, report_csv_lines, report_filename
from staff.selectors import audit_log_list, platform_stats
from staff.serializers import (
    AuditLogFilterSerializer,
    AuditLogSerializer,
    DateRangeSerializer,
    PlatformStatsSerializer,
)


class PlatformStatsView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(tags=["admin"], responses=PlatformStatsSerializer, summary="Platform statistics")
    @lag_tolerant
    def get(self, request):
        return Response(PlatformStatsSerializer(platform_stats()).data)


class ReportView(APIView):
    permission_classes = [IsAdmin]

    def perform_content_negotiation(self, request, force=False):
        # The body is CSV whatever `Accept` says; errors fall back to the JSON renderer instead of 406.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        tags=["admin"],
        summary="Download a CSV report",
        parameters=[
            OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(REPORT_NAMES)),
            DateRangeSerializer,
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="Streamed CSV (header row first). Cells starting with = + - @ tab or CR are "
                "prefixed with an apostrophe.",
            )
        },
    )
    def get(self, request, name: str):
        params = DateRangeSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        date_from, date_to = params.validated_data.get("from"), params.validated_data.get("to")
        response = StreamingHttpResponse(
            replica_reads_iter(report_csv_lines(name, date_from=date_from, date_to=date_to)),
            content_type="text/csv; charset=utf-8",
        )
        filename = report_filename(name, date_from=date_from, date_to=date_to)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response


@extend_schema(tags=["admin"], summary="The audit log", parameters=[AuditLogFilterSerializer])
class AuditLogListView(ListAPIView):
    permission_classes = [IsAdmin]
    serializer_class = AuditLogSerializer
    # Query parameters are validated by AuditLogFilterSerializer and applied by the selector.
    filter_backends: list = []

    def get_queryset(self):
        params = AuditLogFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        return audit_log_list(
            action=data.get("action"),
            actor_id=data.get("actor"),
            target_type=data.get("target_type"),
            target_id=data.get("target_id"),
            date_from=data.get("from"),
            date_to=data.get("to"),
        )
