"""Certificates of completion: one per learner and course, numbered without gaps, publicly verifiable."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from common.models import TimeStampedModel

NUMBER_PREFIX = "DCA"


def verification_code_generate() -> str:
    # 128 bits of randomness: the code is printed on the certificate and must not be guessable.
    return secrets.token_urlsafe(16)


def certificate_file_path(instance: Certificate, filename: str) -> str:
    # A random suffix keeps stored files unguessable even on a public bucket, and changes on re-render
    # so caches never serve an outdated PDF.
    return f"certificates/{instance.issue_date:%Y}/{instance.certificate_number}-{secrets.token_hex(8)}.pdf"


class CertificateNumberCounter(models.Model):
    """The last certificate number handed out in a year; its row lock serialises number allocation."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class CertificateQuerySet(models.QuerySet):
    def with_related(self) -> CertificateQuerySet:
        return self.select_related("user", "course", "course__instructor")


class Certificate(TimeStampedModel):
    class Status(models.TextChoices):
        VALID = "valid", "Valid"
        REVOKED = "revoked", "Revoked"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates")
    # PROTECT: a course with certificates is archived, never deleted.
    course = models.ForeignKey("catalog.Course", on_delete=models.PROTECT, related_name="certificates")
    certificate_number = models.CharField(max_length=32, unique=True, editable=False)
    verification_code = models.CharField(max_length=32, unique=True, default=verification_code_generate, editable=False)
    issue_date = models.DateField()
    # Empty until the render task has stored the PDF (the API then says the certificate is being prepared).
    file = models.FileField(upload_to=certificate_file_path, max_length=255, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VALID)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=500, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issue_date", "-certificate_number"]
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="certificates_certificate_user_course_unique"),
            models.CheckConstraint(
                condition=(Q(status="valid", revoked_at__isnull=True) | Q(status="revoked", revoked_at__isnull=False)),
                name="certificates_certificate_revoked_at_matches_status",
            ),
        ]
        indexes = [
            # "My certificates", newest first.
            models.Index(fields=["user", "-issue_date"], name="certificates_user_issued"),
            models.Index(fields=["course", "-issue_date"], name="certificates_course_issued"),
        ]

    def __str__(self) -> str:
        return self.certificate_number

    @property
    def file_ready(self) -> bool:
        return bool(self.file)

    @property
    def is_valid(self) -> bool:
        return self.status == self.Status.VALID
