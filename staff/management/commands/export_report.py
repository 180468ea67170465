"""``manage.py export_report users --from 2026-01-01 --to 2026-01-31 --output users.csv``

Writes the same CSV as ``GET /api/admin/reports/<name>/`` (one shared generator), with a progress bar
on stderr. ``--output -`` writes to stdout.
"""

from __future__ import annotations

import datetime
import sys
from contextlib import nullcontext

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from staff.reports import REPORT_NAMES, report_csv_lines, report_queryset


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from exc


class Command(BaseCommand):
    help = "Write a CSV report (users, enrollments, payments, courses) of rows created in a date range."

    def add_arguments(self, parser):
        parser.add_argument("name", choices=REPORT_NAMES)
        parser.add_argument("--from", dest="date_from", type=str, help="First day included (YYYY-MM-DD).")
        parser.add_argument("--to", dest="date_to", type=str, help="Last day included (YYYY-MM-DD).")
        parser.add_argument("--output", required=True, help="File to write, or - for stdout.")
        parser.add_argument("--chunk-size", type=int, default=None, help="Rows per database round trip.")

    def handle(self, *args, name: str, date_from: str | None, date_to: str | None, output: str, **options):
        start = _date(date_from) if date_from else None
        end = _date(date_to) if date_to else None
        if start and end and start > end:
            raise CommandError("--from must be on or before --to.")

        total = report_queryset(name, date_from=start, date_to=end).count()
        lines = report_csv_lines(name, date_from=start, date_to=end, chunk_size=options["chunk_size"])
        header = next(lines)
        # CSV lines end in "\r\n", so the stdout wrapper adds no newline of its own.
        opener = nullcontext(self.stdout) if output == "-" else open(output, "w", newline="", encoding="utf-8")  # noqa: SIM115
        progress = tqdm(total=total, unit="rows", file=sys.stderr, disable=options["verbosity"] == 0)
        with opener as out, progress:
            out.write(header)
            for line in lines:
                out.write(line)
                progress.update(1)
        if output != "-":
            self.stderr.write(f"Wrote {total} {name} rows to {output}.")
