"""GET /api/admin/reports/{users|enrollments|payments|courses}/: streamed CSV, admins only."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from model_bakery import baker

from catalog.models import Domain, Enrollment
from catalog.services import enrollment_grant
from staff.reports import REPORTS
from staff.tests.conftest import days_ago

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


def read_csv(response) -> list[list[str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text)))


def url(name: str) -> str:
    return f"/api/admin/reports/{name}/"


def test_users_report_has_a_header_and_one_row_per_user(client_for, admin_user, make_user):
    # Given a student
    student = make_user("student", full_name="Asha Rao", branch="CSE", year=3)

    # When
    response = client_for(admin_user).get(url("users"))

    # Then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="users_start_to_now.csv"'
    rows = read_csv(response)
    assert rows[0] == [
        "id",
        "email",
        "full_name",
        "role",
        "domain",
        "branch",
        "year",
        "is_suspended",
        "onboarding_completed_at",
        "created_at",
    ]
    by_id = {row[0]: row for row in rows[1:]}
    assert set(by_id) == {str(admin_user.id), str(student.id)}
    row = by_id[str(student.id)]
    assert row[1:8] == [student.email, "Asha Rao", "student", "", "CSE", "3", "false"]
    assert row[9] == timezone.localtime(student.created_at).isoformat()


def test_enrollments_report_rows(client_for, admin_user, make_user, course_factory):
    learner = make_user("student")
    course = course_factory(title="Python")
    enrollment, _ = enrollment_grant(user=learner, course=course, source=Enrollment.Source.FREE)

    rows = read_csv(client_for(admin_user).get(url("enrollments")))

    assert rows[0] == [header for header, _ in REPORTS["enrollments"].columns]
    assert rows[1][:8] == [
        str(enrollment.id),
        str(learner.id),
        learner.email,
        str(course.id),
        "Python",
        "free",
        "active",
        "0",
    ]
    assert len(rows) == 2


def test_payments_report_has_paise_and_rupees(client_for, admin_user, make_user, course_factory, payment_factory):
    learner = make_user("student")
    course = course_factory(title="Django", price=Decimal("499.50"))
    payment = payment_factory(course=course, amount=49_950, user=learner)

    rows = read_csv(client_for(admin_user).get(url("payments")))

    header, row = rows[0], rows[1]
    assert header[-1] == "amount_rupees"
    record = dict(zip(header, row, strict=True))
    assert record["id"] == str(payment.id)
    assert record["user_email"] == learner.email
    assert record["course_title"] == "Django"
    assert record["amount_paise"] == "49950"
    assert record["amount_rupees"] == "499.50"
    assert record["currency"] == "INR"
    assert record["status"] == "paid"
    assert record["razorpay_payment_id"] == payment.payment_id
    # the gateway signature is never exported
    assert "signature" not in header


def test_courses_report_rows(client_for, admin_user, instructor, course_factory):
    # (a fixed domain slug: a random one starting with "-" or "=" is rightly written with a leading quote)
    domain = baker.make(Domain, slug="data-science")
    course = course_factory(title="Python", price=Decimal("999.00"), status="pending_review", domain=domain)

    rows = read_csv(client_for(admin_user).get(url("courses")))

    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["id"] == str(course.id)
    assert record["status"] == "pending_review"
    assert record["instructor_email"] == instructor.email
    assert record["price"] == "999.00"
    assert record["domain"] == course.domain.slug


def test_cells_that_a_spreadsheet_would_run_are_neutralised(client_for, admin_user, make_user):
    # Given users whose names are formulas
    names = ['=HYPERLINK("http://evil")', "+1+2", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "Plain - name"]
    for name in names:
        make_user("student", full_name=name)

    # When
    rows = read_csv(client_for(admin_user).get(url("users")))

    # Then: each formula is prefixed with an apostrophe; ordinary text is untouched
    written = {row[2] for row in rows[1:]}
    assert written >= {
        '\'=HYPERLINK("http://evil")',
        "'+1+2",
        "'-2+3",
        "'@SUM(A1)",
        "'\tTAB",
        "'\rCR",
        "Plain - name",
    }
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows[1:] for cell in row)


def test_date_filters_include_both_days(client_for, admin_user, make_user):
    # Given users made 10, 5 and 1 days ago (the admin was made today)
    ten, five, one = (make_user("student", created_at=days_ago(n)) for n in (10, 5, 1))
    today = timezone.localdate()
    date_from = (today - datetime.timedelta(days=5)).isoformat()
    date_to = (today - datetime.timedelta(days=1)).isoformat()

    # When
    response = client_for(admin_user).get(url("users"), {"from": date_from, "to": date_to})
    only_from = client_for(admin_user).get(url("users"), {"from": date_from})
    only_to = client_for(admin_user).get(url("users"), {"to": date_from})

    # Then
    assert response["Content-Disposition"] == f'attachment; filename="users_{date_from}_to_{date_to}.csv"'
    assert [row[0] for row in read_csv(response)[1:]] == [str(five.id), str(one.id)]
    assert [row[0] for row in read_csv(only_from)[1:]] == [str(five.id), str(one.id), str(admin_user.id)]
    assert [row[0] for row in read_csv(only_to)[1:]] == [str(ten.id), str(five.id)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "last-week"}, "from"),
        ({"to": "2026-02-30"}, "to"),
        ({"from": "2026-03-01", "to": "2026-02-01"}, "to"),
    ],
)
def test_bad_dates_are_400_json(client_for, admin_user, params, field):
    response = client_for(admin_user).get(url("users"), params, HTTP_ACCEPT="text/csv")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"]


def test_unknown_report_is_a_json_404(client_for, admin_user):
    response = client_for(admin_user).get(url("secrets"))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("name", ["users", "enrollments", "payments", "courses"])
@pytest.mark.parametrize("role", ["student", "instructor"])
def test_non_admins_are_refused(client_for, make_user, role, name):
    response = client_for(make_user(role)).get(url(name))

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_anonymous_is_refused(client_for):
    assert client_for(None).get(url("users")).status_code == 401


def test_the_body_is_streamed_in_chunks_not_built_in_memory(
    client_for, admin_user, make_user, settings, django_assert_num_queries
):
    # Given more users than one chunk holds
    settings.REPORT_CHUNK_SIZE = 2
    for _ in range(5):
        make_user("student")

    # When the view answers, no row has been read yet: the query runs as the body is consumed
    with django_assert_num_queries(0):
        response = client_for(admin_user).get(url("users"))
    assert response.streaming

    # Then the rows arrive line by line from one query (a server-side cursor on PostgreSQL)
    with django_assert_num_queries(1):
        lines = list(response.streaming_content)
    assert len(lines) == 1 + 6
    assert all(line.endswith(b"\r\n") for line in lines)


@pytest.mark.parametrize("count", [1, 30])
def test_query_count_is_one_whatever_the_rows(
    count, client_for, admin_user, make_user, course_factory, django_assert_num_queries
):
    course = course_factory()
    for _ in range(count):
        enrollment_grant(user=make_user("student"), course=course, source="free")

    response = client_for(admin_user).get(url("enrollments"))
    # one SELECT joining user and course for every row
    with django_assert_num_queries(1):
        rows = read_csv(response)
    assert len(rows) == 1 + count
