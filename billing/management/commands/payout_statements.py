"""``python manage.py payout_statements --month 2026-11``: write instructors' payout statements for a closed month."""

from __future__ import annotations

import datetime
import uuid

from django.core.management.base import BaseCommand, CommandError

from billing.services import payout_statements_issue
from common.exceptions import ApplicationError


def _month(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise CommandError(f"--month must be YYYY-MM, not {value!r}.") from None


def _instructor(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise CommandError(f"--instructor must be a user id (UUID), not {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Write each instructor's payout statement for a closed month (PDF and CSV rendered by the pdf worker). "
        "Idempotent: a statement already written is left as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="The closed month, YYYY-MM (in TIME_ZONE).")
        parser.add_argument("--instructor", help="Only this instructor's statement (user id).")

    def handle(self, *args, month: str, instructor: str | None, **options):
        try:
            counts = payout_statements_issue(
                month=_month(month), instructor_id=_instructor(instructor) if instructor else None
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(" ".join(f"{key}={value}" for key, value in counts.items()))
