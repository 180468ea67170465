"""manage.py export_report: the same CSV as the API, written to a file with a progress bar."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from staff.tests.conftest import days_ago

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


def test_writes_the_same_csv_as_the_api(tmp_path, client_for, admin_user, make_user, capsys):
    # Given users, one with a formula for a name, one outside the range
    make_user("student", full_name="=cmd()", created_at=days_ago(2))
    make_user("student", created_at=days_ago(1))
    make_user("student", created_at=days_ago(30))
    today = timezone.localdate()
    date_from, date_to = (today - datetime.timedelta(days=2)).isoformat(), today.isoformat()
    output = tmp_path / "users.csv"

    # When
    call_command("export_report", "users", "--from", date_from, "--to", date_to, "--output", str(output))

    # Then: byte for byte what the API streams, with a progress bar on stderr
    api = client_for(admin_user).get("/api/admin/reports/users/", {"from": date_from, "to": date_to})
    expected = b"".join(api.streaming_content)
    assert output.read_bytes() == expected
    assert len(expected.splitlines()) == 1 + 3  # header, two students, the admin made today
    assert b"'=cmd()" in expected
    stderr = capsys.readouterr().err
    assert "3/3" in stderr
    assert f"Wrote 3 users rows to {output}" in stderr


def test_writes_to_stdout_with_a_dash(make_user, course_factory):
    course_factory(title="Python")
    out = io.StringIO()

    call_command("export_report", "courses", "--output", "-", "--chunk-size", "1", stdout=out, verbosity=0)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("id,title,slug,status")
    assert len(lines) == 2
    assert ",Python," in lines[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "yesterday"], "'yesterday' is not a date"),
        (["--from", "2026-02-01", "--to", "2026-01-01"], "--from must be on or before --to"),
    ],
)
def test_bad_dates_are_refused(tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_report", "users", *args, "--output", str(tmp_path / "x.csv"))


def test_unknown_report_is_refused(tmp_path):
    with pytest.raises(CommandError):
        call_command("export_report", "secrets", "--output", str(tmp_path / "x.csv"))
