"""GET /api/instructor/statements/ and /{id}/ (+ pdf/, csv/): own statements for instructors, all for admins."""

from __future__ import annotations

import datetime

import pytest
from model_bakery import baker

from billing.models import EarningEntry, PayoutStatement, PayoutStatementLine

pytestmark = pytest.mark.django_db
URL = "/api/instructor/statements/"
NOVEMBER = datetime.date(2026, 11, 1)


def make_statement(instructor, *, month=NOVEMBER, lines: int = 1, **kwargs) -> PayoutStatement:
    """A statement of ``lines`` ledger entries (each a ₹499 sale), as ``payout_statement_issue`` writes it."""
    statement = baker.make(
        PayoutStatement,
        instructor=instructor,
        month=month,
        number=f"DCA-PS/{month:%Y-%m}/{PayoutStatement.objects.count() + 1:06d}",
        gross=49900 * lines,
        tax=7612 * lines,
        commission=12686 * lines,
        net=29602 * lines,
        payable=29602 * lines,
        **kwargs,
    )
    course = baker.make("catalog.Course", instructor=instructor, title="Django Deep Dive")
    for n in range(lines):
        payment = baker.make("billing.Payment", course=course, amount=49900, payment_id=f"pay_{statement.pk}_{n}")
        entry = baker.make(
            EarningEntry, instructor=instructor, course=course, payment=payment, kind="sale",
            gross=49900, tax=7612, commission=12686, net=29602, commission_percent=30,
        )  # fmt: skip
        PayoutStatementLine.objects.create(statement=statement, entry=entry)
    return statement


def test_an_instructor_lists_their_own_statements(client_for, instructor, other_instructor):
    # given a statement of mine and one of another instructor
    mine = make_statement(instructor)
    make_statement(other_instructor)
    # when I list statements
    response = client_for(instructor).get(URL)
    # then I see only mine, with its totals
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["id"] == str(mine.pk) and row["number"] == mine.number
    assert row["month"] == "2026-11-01" and row["status"] == "issued"
    assert (row["gross"], row["tax"], row["commission"], row["net"], row["payable"]) == (
        49900,
        7612,
        12686,
        29602,
        29602,
    )
    assert (row["opening_balance"], row["closing_balance"], row["file_ready"]) == (0, 29602, False)
    assert row["instructor"] == str(instructor.pk)


def test_an_admin_lists_every_statement_and_filters_by_instructor(client_for, admin_user, instructor, other_instructor):
    make_statement(instructor)
    theirs = make_statement(other_instructor, status="paid", paid_reference="UTR", paid_at="2026-12-02T10:00Z")
    client = client_for(admin_user)
    assert client.get(URL).json()["count"] == 2
    (row,) = client.get(URL, {"instructor": str(other_instructor.pk)}).json()["results"]
    assert row["id"] == str(theirs.pk) and row["paid_reference"] == "UTR"
    assert client.get(URL, {"status": "paid"}).json()["count"] == 1
    assert client.get(URL, {"month": "2026-10-01"}).json()["count"] == 0


@pytest.mark.parametrize("params", [{"instructor": "nope"}, {"status": "unknown"}, {"month": "November"}])
def test_a_bad_filter_is_a_400(client_for, admin_user, params):
    response = client_for(admin_user).get(URL, params)
    assert response.status_code == 400
    assert next(iter(params)) in response.json()["errors"]


def test_students_are_refused(client_for, student):
    response = client_for(student).get(URL)
    assert response.status_code == 403


def test_detail_has_totals_and_lines(client_for, instructor):
    statement = make_statement(instructor, lines=2)
    response = client_for(instructor).get(f"{URL}{statement.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == statement.number and body["net"] == 2 * 29602
    assert len(body["lines"]) == 2
    line = body["lines"][0]
    assert line["course"]["title"] == "Django Deep Dive" and line["kind"] == "sale"
    assert (line["gross"], line["tax"], line["commission"], line["net"]) == (49900, 7612, 12686, 29602)
    assert line["payment_id"].startswith("pay_")


@pytest.mark.parametrize("suffix", ["", "pdf/", "csv/"])
def test_another_instructors_statement_does_not_exist_for_me(client_for, instructor, other_instructor, suffix):
    theirs = make_statement(other_instructor)
    response = client_for(instructor).get(f"{URL}{theirs.pk}/{suffix}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize("suffix", ["pdf/", "csv/"])
def test_files_are_409_until_rendered(client_for, instructor, suffix):
    statement = make_statement(instructor)
    response = client_for(instructor).get(f"{URL}{statement.pk}/{suffix}", HTTP_ACCEPT="application/pdf, text/csv")
    assert response.status_code == 409 and response.json()["code"] == "payout_statement_not_ready"


def test_rendered_files_download(client_for, instructor, admin_user, django_capture_on_commit_callbacks):
    from billing.services import payout_statement_file_render

    statement = payout_statement_file_render(statement=make_statement(instructor))
    for user in (instructor, admin_user):
        pdf = client_for(user).get(f"{URL}{statement.pk}/pdf/")
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert b"".join(pdf.streaming_content).startswith(b"%PDF")
        assert pdf["Content-Disposition"] == 'attachment; filename="DCA-PS-2026-11-000001.pdf"'
        body = client_for(user).get(f"{URL}{statement.pk}/csv/", HTTP_ACCEPT="text/csv")
        assert body.status_code == 200 and body["Content-Type"] == "text/csv; charset=utf-8"
        lines = b"".join(body.streaming_content).decode().splitlines()
        assert lines[0].startswith("date,course,payment") and len(lines) == 2


def test_list_query_count_is_the_same_for_1_and_20_statements(client_for, instructor, django_assert_max_num_queries):
    client = client_for(instructor)
    make_statement(instructor, lines=0)
    # count, page of statements with their instructor
    with django_assert_max_num_queries(2):
        assert len(client.get(URL).json()["results"]) == 1
    for n in range(1, 20):
        make_statement(instructor, month=datetime.date(2024 + n // 12, n % 12 + 1, 1), lines=0)
    with django_assert_max_num_queries(2):
        assert len(client.get(URL).json()["results"]) == 20


def test_detail_query_count_is_the_same_for_1_and_50_lines(client_for, instructor, django_assert_max_num_queries):
    client = client_for(instructor)
    one, many = (
        make_statement(instructor, lines=1),
        make_statement(instructor, month=NOVEMBER.replace(month=10), lines=50),
    )
    # the statement with its instructor, its entries with course and payment
    for statement, count in ((one, 1), (many, 50)):
        with django_assert_max_num_queries(2):
            assert len(client.get(f"{URL}{statement.pk}/").json()["lines"]) == count
