"""CSV writing shared by the reports, `export_report`, the admin's "Export selected rows as CSV" and payout statements.

Every cell goes through :func:`format_cell`: text that a spreadsheet would run as a formula (it begins
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is prefixed with an apostrophe, so it is
shown as text (OWASP "CSV injection"). Rows are written one at a time, so callers can stream.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.utils import timezone

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def format_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        # Local time with its offset: readable for staff in TIME_ZONE, still unambiguous.
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (int, float, Decimal)):
        # Numbers are written by us, never typed by a user: "-5" stays a number.
        return str(value)
    return neutralise(str(value))


class _LineBuffer:
    """A file-like object whose ``write`` hands the line back instead of storing it."""

    def write(self, line: str) -> str:
        return line


def csv_lines(rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """One CSV line per row (header included), every cell formatted and neutralised."""
    writer = csv.writer(_LineBuffer())
    for row in rows:
        yield writer.writerow([format_cell(value) for value in row])
