"""Stored PDFs (a certificate, a tax invoice): replacing one after a render, and streaming it to the person
allowed to read it.

Streamed through the view from whichever storage holds it (local disk or the private bucket), never a
redirect to a signed URL: the view's checks apply to every byte, a revocation takes effect at once, and no
bearer link to the file can leak into logs, browser history or a forwarded e-mail.
"""

from __future__ import annotations

import logging

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.utils import timezone
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from common.exceptions import ConflictError, ServiceUnavailableError

logger = logging.getLogger(__name__)


class StoredFileRenderer(BaseRenderer):
    """Lets clients ask for a stored file's type in ``Accept``; the body is a FileResponse, never rendered here."""

    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class PDFRenderer(StoredFileRenderer):
    media_type = "application/pdf"
    format = "pdf"


class CSVFileRenderer(StoredFileRenderer):
    media_type = "text/csv"
    format = "csv"


class PDFDownloadView(APIView):
    """A view answering a stored PDF, or a JSON error even when the client asked for a PDF."""

    renderer_classes = [JSONRenderer, PDFRenderer]

    def pdf_response(
        self,
        *,
        file: FieldFile,
        filename: str,
        not_ready: ConflictError,
        unavailable: ServiceUnavailableError,
        content_type: str = "application/pdf",
    ) -> FileResponse:
        """``file`` as an attachment; ``not_ready`` when it is not stored yet, ``unavailable`` when storage is down.
        (A stored CSV is answered the same way, with its ``content_type``.)"""
        if not file:
            raise not_ready
        try:
            handle = file.open("rb")
        except FileNotFoundError:
            logger.error("stored PDF %s is missing", file.name)
            raise not_ready from None
        except (OSError, BotoCoreError, ClientError):
            logger.exception("file storage unreachable for %s", file.name)
            raise unavailable from None
        return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are JSON even when the client asked for a PDF (or a CSV).
        if isinstance(response, Response) and isinstance(
            getattr(request, "accepted_renderer", None), StoredFileRenderer
        ):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


def rendered_pdf_store(*, instance, filename: str, pdf: bytes, field: str = "file") -> None:
    """Store ``pdf`` as ``instance.<field>`` (stamping ``rendered_at``), then delete the file it replaces.

    For models with ``file``, ``rendered_at`` and ``updated_at`` (certificates, tax documents, payout
    statements, whose CSV is stored the same way in ``csv_file``): a re-render only replaces the file, so a
    retried or repeated render task is harmless.
    """
    stored = getattr(instance, field)
    old_name = stored.name
    stored.save(filename, ContentFile(pdf), save=False)
    instance.rendered_at = timezone.now()
    instance.save(update_fields=[field, "rendered_at", "updated_at"])
    if old_name and old_name != stored.name:
        stored.storage.delete(old_name)
