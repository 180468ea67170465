"""Reports over 100,000 rows stream in constant memory (PostgreSQL: a server-side cursor).

Slow by nature (~25 s: inserting 100,000 rows, then tracing every allocation), so PostgreSQL only.
"""

from __future__ import annotations

import gc
import tracemalloc

import pytest

from accounts.models import User
from staff.reports import report_csv_lines

ROWS = 100_000


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_100k_row_report_streams_in_constant_memory(settings):
    # Given 100,000 users
    settings.REPORT_CHUNK_SIZE = 2000
    User.objects.bulk_create(
        (User(email=f"learner{n}@example.com", full_name=f"Learner {n}", role="student") for n in range(ROWS)),
        batch_size=5000,
    )
    gc.collect()

    # When the whole report is generated while memory is traced
    tracemalloc.start()
    try:
        lines = 0
        size = 0
        for line in report_csv_lines("users"):
            lines += 1
            size += len(line)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # Then every row came out, and the peak is a few chunks' worth, far below the ~15 MB of CSV written
    assert lines == ROWS + 1
    assert size > 10_000_000
    assert peak < 5_000_000, f"peak {peak / 1e6:.1f} MB"
