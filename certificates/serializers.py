"""Shapes of certificates in the API: the holder's view, the public verification and the admin view."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from certificates.models import Certificate
from certificates.pdf import certificate_verification_url


class CertificateCourseSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    slug = serializers.CharField()
    instructor_name = serializers.CharField(source="instructor.full_name")


class CertificateSerializer(serializers.ModelSerializer):
    """A certificate as its holder sees it. Needs ``request`` in the context for ``cert_url``."""

    course = CertificateCourseSerializer()
    cert_url = serializers.SerializerMethodField(help_text="Absolute URL of the PDF download.")
    verification_url = serializers.SerializerMethodField(help_text="Public verification page (printed on the PDF).")
    file_ready = serializers.BooleanField(
        read_only=True, help_text="False while the PDF is being prepared; the download answers 409 until then."
    )

    class Meta:
        model = Certificate
        fields = [
            "id",
            "course",
            "certificate_number",
            "verification_code",
            "verification_url",
            "issue_date",
            "cert_url",
            "file_ready",
            "status",
            "revoked_at",
            "revoke_reason",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_cert_url(self, certificate: Certificate) -> str:
        path = reverse("certificates:download", kwargs={"pk": certificate.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    @extend_schema_field(serializers.URLField())
    def get_verification_url(self, certificate: Certificate) -> str:
        return certificate_verification_url(certificate=certificate)


class CertificateHolderSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    full_name = serializers.CharField()
    email = serializers.EmailField()


class CertificateAdminSerializer(CertificateSerializer):
    user = CertificateHolderSerializer()

    class Meta(CertificateSerializer.Meta):
        fields = ["user", *CertificateSerializer.Meta.fields, "rendered_at", "created_at"]
        read_only_fields = fields


class CertificateVerificationSerializer(serializers.ModelSerializer):
    """What anyone holding the code may see: never the holder's email or the revocation reason."""

    holder_name = serializers.CharField(source="user.full_name")
    course = CertificateCourseSerializer()
    verification_url = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "certificate_number",
            "holder_name",
            "course",
            "issue_date",
            "status",
            "revoked_at",
            "verification_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_verification_url(self, certificate: Certificate) -> str:
        return certificate_verification_url(certificate=certificate)


class CertificateRevokeInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why the certificate is revoked (kept in the audit log).")


class CertificateReinstateInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
