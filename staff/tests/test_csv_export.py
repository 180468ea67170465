"""Cell formatting and formula neutralisation shared by every CSV of the project."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from common.csv_export import csv_lines, format_cell, neutralise


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+91 98765", "'+91 98765"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Asha = Rao", "Asha = Rao"),
        ("", ""),
    ],
)
def test_neutralise(text, written):
    assert neutralise(text) == written


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (-5, "-5"),
        (Decimal("-12.50"), "-12.50"),
        (datetime.date(2026, 1, 31), "2026-01-31"),
        (datetime.datetime(2026, 1, 31, 10, 0), "2026-01-31T10:00:00"),
        (uuid.UUID("12345678-1234-5678-1234-567812345678"), "12345678-1234-5678-1234-567812345678"),
        ({"a": 1}, "{'a': 1}"),
        ("=danger", "'=danger"),
    ],
)
def test_format_cell(value, written):
    assert format_cell(value) == written


def test_aware_datetimes_are_written_in_local_time_with_their_offset(settings):
    settings.TIME_ZONE = "Asia/Kolkata"
    moment = datetime.datetime(2026, 1, 31, 20, 0, tzinfo=ZoneInfo("UTC"))

    assert format_cell(moment) == "2026-02-01T01:30:00+05:30"


def test_csv_lines_quotes_and_terminates_each_row():
    lines = list(csv_lines([["name", "note"], ['Rao, "Asha"', "-1"], [None, 3]]))

    assert lines == ["name,note\r\n", '"Rao, ""Asha""",\'-1\r\n', ",3\r\n"]
