"""Certificate endpoints: my certificates, the PDF download, public verification, admin revoke/reinstate."""

from __future__ import annotations

import logging

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from certificates.errors import CertificatesErrorCode
from certificates.representations import certificate_representation
from certificates.selectors import (
    certificate_get,
    certificate_get_by_code,
    certificate_get_for_download,
    certificate_list_for_user,
    certificate_rows_for_user,
)
from certificates.serializers import (
    CertificateAdminSerializer,
    CertificateReinstateInputSerializer,
    CertificateRevokeInputSerializer,
    CertificateSerializer,
    CertificateVerificationSerializer,
)
from certificates.services import certificate_reinstate, certificate_revoke
from common.exceptions import ConflictError, ServiceUnavailableError
from common.files import PDFDownloadView
from common.permissions import IsAdmin
from common.ratelimit import rate_limit
from common.serializers import ErrorSerializer

logger = logging.getLogger(__name__)


@extend_schema(
    summary="My certificates",
    description="Any signed-in user: their certificates, newest first (revoked ones included, with their status).",
)
class CertificateListView(generics.ListAPIView):
    """My certificates, newest first (revoked ones included, with their status)."""

    serializer_class = CertificateSerializer
    permission_classes = [IsAuthenticated]
    filter_backends: list = []

    def get_queryset(self):
        return certificate_list_for_user(user=self.request.user)

    def list(self, request, *args, **kwargs):
        # CertificateSerializer's bytes (serializer_class, the documented response) from flat rows, without its
        # field tree per row (a hot personal read; certificates.representations).
        page = self.paginate_queryset(certificate_rows_for_user(user=request.user))
        return self.get_paginated_response([certificate_representation(row, request=request) for row in page])


class CertificateDownloadView(PDFDownloadView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="certificates_download",
        summary="Download the certificate PDF (holder or admin)",
        description=(
            "The holder or an admin: the PDF as an attachment named after the certificate number "
            "(`DCA-2026-000042.pdf`). Errors are JSON whatever `Accept` says; someone else's certificate is 404 "
            "`certificate_not_found`."
        ),
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The certificate PDF."),
            409: OpenApiResponse(
                ErrorSerializer,
                description="`certificate_not_ready` while the PDF is being prepared (retry shortly); "
                "`certificate_revoked` for a holder whose certificate was revoked.",
            ),
            503: OpenApiResponse(
                ErrorSerializer, description="`certificate_storage_unavailable`: file storage unreachable, retry."
            ),
        },
    )
    def get(self, request, pk):
        certificate = certificate_get_for_download(user=request.user, certificate_id=pk)
        if not certificate.is_valid and not request.user.is_admin:
            raise ConflictError("This certificate has been revoked.", code=CertificatesErrorCode.CERTIFICATE_REVOKED)
        return self.pdf_response(
            file=certificate.file,
            filename=f"{certificate.certificate_number}.pdf",
            not_ready=ConflictError(
                "The certificate is being prepared. Try again in a minute.",
                code=CertificatesErrorCode.CERTIFICATE_NOT_READY,
            ),
            unavailable=ServiceUnavailableError(
                "Certificate files are unavailable right now. Try again shortly.",
                code=CertificatesErrorCode.CERTIFICATE_STORAGE_UNAVAILABLE,
            ),
        )


class CertificateVerifyView(APIView):
    """Public: anyone with the code (an employer) checks a certificate. Credentials are ignored."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="certificates_verify",
        summary="Verify a certificate by its code (public)",
        description=(
            "Anyone with the code (an employer); credentials are ignored. Never shows the holder's email or the "
            "revocation reason; an unknown code is 404 `certificate_not_found`. Rate-limited per IP by "
            "`CERTIFICATES_VERIFY_RATE`."
        ),
        responses={200: CertificateVerificationSerializer},
    )
    @rate_limit(group="certificates.verify", rate=settings.CERTIFICATES_VERIFY_RATE, key="ip")
    def get(self, request, code):
        certificate = certificate_get_by_code(code=code)
        return Response(CertificateVerificationSerializer(certificate).data)


class CertificateRevokeView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="admin_certificates_revoke",
        summary="Revoke a certificate (admin)",
        description="Admins, with `reason` (required, at most 500 characters); answers the certificate.",
        request=CertificateRevokeInputSerializer,
        responses={
            200: CertificateAdminSerializer,
            409: OpenApiResponse(ErrorSerializer, description="`certificate_already_revoked`."),
        },
    )
    def post(self, request, pk):
        serializer = CertificateRevokeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        certificate = certificate_revoke(
            certificate=certificate_get(certificate_id=pk),
            actor=request.user,
            reason=serializer.validated_data["reason"],
        )
        return Response(
            CertificateAdminSerializer(
                certificate_get(certificate_id=certificate.pk), context={"request": request}
            ).data,
            status=status.HTTP_200_OK,
        )


class CertificateReinstateView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="admin_certificates_reinstate",
        summary="Reinstate a revoked certificate (admin)",
        description="Admins, with an optional `reason`; answers the certificate.",
        request=CertificateReinstateInputSerializer,
        responses={
            200: CertificateAdminSerializer,
            409: OpenApiResponse(ErrorSerializer, description="`certificate_not_revoked`."),
        },
    )
    def post(self, request, pk):
        serializer = CertificateReinstateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        certificate = certificate_reinstate(
            certificate=certificate_get(certificate_id=pk),
            actor=request.user,
            reason=serializer.validated_data["reason"],
        )
        return Response(
            CertificateAdminSerializer(
                certificate_get(certificate_id=certificate.pk), context={"request": request}
            ).data
        )
