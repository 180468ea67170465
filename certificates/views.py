"""Certificate endpoints: my certificates, the PDF download, public verification, admin revoke/reinstate."""

from __future__ import annotations

import logging

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from certificates import errors
from certificates.selectors import (
    certificate_get,
    certificate_get_by_code,
    certificate_get_for_download,
    certificate_list_for_user,
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
from common.permissions import IsAdmin
from common.ratelimit import rate_limit
from common.serializers import ErrorSerializer

logger = logging.getLogger(__name__)


class PDFRenderer(BaseRenderer):
    """Lets clients send ``Accept: application/pdf``; the body is a FileResponse, never rendered here."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class CertificateListView(generics.ListAPIView):
    """My certificates, newest first (revoked ones included, with their status)."""

    serializer_class = CertificateSerializer
    permission_classes = [IsAuthenticated]
    filter_backends: list = []

    def get_queryset(self):
        return certificate_list_for_user(user=self.request.user)


class CertificateDownloadView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer, PDFRenderer]

    @extend_schema(
        operation_id="certificates_download",
        summary="Download the certificate PDF (holder or admin)",
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
            raise ConflictError("This certificate has been revoked.", code=errors.CERTIFICATE_REVOKED)
        if not certificate.file_ready:
            raise ConflictError(
                "The certificate is being prepared. Try again in a minute.", code=errors.CERTIFICATE_NOT_READY
            )
        # Streamed through this view from whichever storage holds it (local disk or the private bucket), never
        # a redirect to a signed URL: the checks above apply to every byte, a revocation takes effect at once,
        # and no bearer link to the file can leak into logs, browser history or a forwarded e-mail.
        try:
            handle = certificate.file.open("rb")
        except FileNotFoundError:
            logger.error("certificate %s: stored PDF %s is missing", certificate.pk, certificate.file.name)
            raise ConflictError(
                "The certificate file is being prepared. Try again later.", code=errors.CERTIFICATE_NOT_READY
            ) from None
        except (OSError, BotoCoreError, ClientError):
            logger.exception("certificate %s: file storage unreachable", certificate.pk)
            raise ServiceUnavailableError(
                "Certificate files are unavailable right now. Try again shortly.",
                code=errors.CERTIFICATE_STORAGE_UNAVAILABLE,
            ) from None
        return FileResponse(
            handle, as_attachment=True, filename=f"{certificate.certificate_number}.pdf", content_type="application/pdf"
        )

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are JSON even when the client asked for a PDF.
        if isinstance(response, Response) and isinstance(getattr(request, "accepted_renderer", None), PDFRenderer):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class CertificateVerifyView(APIView):
    """Public: anyone with the code (an employer) checks a certificate. Credentials are ignored."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="certificates_verify",
        summary="Verify a certificate by its code (public)",
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
