"""Re-render certificate PDFs (e.g. after a template change). Numbers and verification codes never change."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from certificates.models import Certificate
from certificates.services import certificate_file_render, certificate_render_queue


class Command(BaseCommand):
    help = "Re-render certificate PDFs, optionally only for one course and/or one user."

    def add_arguments(self, parser):
        parser.add_argument("--course", help="Course id (UUID) or slug")
        parser.add_argument("--user", help="User id (UUID) or email")
        parser.add_argument(
            "--queue", action="store_true", help="Queue Celery tasks instead of rendering in this process"
        )

    def handle(self, *args, course=None, user=None, queue=False, **options):
        certificates = Certificate.objects.order_by("issue_date", "certificate_number")
        try:
            if course:
                certificates = certificates.filter(**_id_or(course, "course__slug", "course_id"))
            if user:
                certificates = certificates.filter(**_id_or(user, "user__email__iexact", "user_id"))
            ids = list(certificates.values_list("pk", flat=True))
        except ValidationError as exc:
            raise CommandError(f"Invalid filter: {exc.messages[0]}") from exc
        failed = 0
        for certificate in Certificate.objects.filter(pk__in=ids).order_by("certificate_number"):
            if queue:
                certificate_render_queue(certificate=certificate)
                continue
            try:
                certificate_file_render(certificate=certificate)
            except Exception as exc:  # one bad certificate must not stop the batch
                failed += 1
                self.stderr.write(f"{certificate.certificate_number}: {exc}")
        verb = "queued" if queue else "re-rendered"
        self.stdout.write(self.style.SUCCESS(f"{len(ids) - failed} certificate(s) {verb}, {failed} failed."))
        if failed:
            raise CommandError(f"{failed} certificate(s) could not be rendered.")


def _id_or(value: str, other_lookup: str, id_lookup: str) -> dict[str, str]:
    # A UUID-shaped value is an id; anything else is the slug / email.
    try:
        return {id_lookup: str(uuid.UUID(value))}
    except ValueError:
        return {other_lookup: value}
