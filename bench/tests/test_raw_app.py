"""The raw app's rendering matches DRF's, mechanism by mechanism (bench/limit.py checks whole bodies on the
scale data before every measurement; these pin the pieces without a server)."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from bench import raw_app
from common.pagination import DefaultPagination


def test_raw_app_uses_the_projects_time_zone():
    assert str(raw_app.TIME_ZONE) == settings.TIME_ZONE


@pytest.mark.parametrize(
    "value",
    [
        datetime.datetime(2026, 11, 30, 2, 30, 0, tzinfo=datetime.UTC),  # whole seconds: no fraction
        datetime.datetime(2026, 11, 29, 19, 0, 0, 123456, tzinfo=datetime.UTC),  # microseconds kept
        datetime.datetime(2026, 11, 30, 0, 0, tzinfo=ZoneInfo("Asia/Kolkata")),
        datetime.datetime(2026, 6, 1, 12, 0, tzinfo=ZoneInfo("America/New_York")),  # another offset
    ],
)
def test_datetimes_render_like_drf(value):
    assert raw_app._dt(value) == serializers.DateTimeField().to_representation(value)


@pytest.mark.parametrize("value", [Decimal("0.00"), Decimal("499.00"), Decimal("1234.50")])
def test_prices_render_like_drfs_decimal_field(value):
    field = serializers.DecimalField(max_digits=10, decimal_places=2)
    assert raw_app._decimal(value) == field.to_representation(value)


def test_json_bytes_match_drfs_renderer():
    # Given text DRF escapes or keeps (non-ASCII kept, U+2028/U+2029 escaped), numbers, booleans and nulls
    data = {
        "title": 'Café — Python\u2028line\u2029para "quoted" \\ back',
        "id": str(uuid.UUID("5ca1e002-0000-4000-8000-000000000073")),
        "n": 3,
        "ok": True,
        "none": None,
        "nested": [{"a": 1}, {"b": []}],
    }
    # Then the bytes are DRF's exactly
    assert raw_app.render(data) == JSONRenderer().render(data)


@pytest.mark.parametrize(
    "query",
    ["domain=web-development", "period=weekly&domain=data-science", "", "page=1&domain=x"],
)
def test_next_link_matches_drfs_pagination(query):
    # Given a request for page 1 of 45 items, with the Host header the client sent
    path = f"/api/courses/?{query}" if query else "/api/courses/"
    django_request = APIRequestFactory().get(path, HTTP_HOST="127.0.0.1:8767")
    request = Request(django_request)
    paginator = DefaultPagination()
    paginator.paginate_queryset(list(range(45)), request)
    # Then the raw app builds the same absolute next link (and none for previous)
    assert raw_app._page_link(django_request.META, 2) == paginator.get_next_link()
    assert paginator.get_previous_link() is None


def test_window_matches_the_leaderboard_periods():
    from gamification.periods import period_window

    for moment in (
        datetime.datetime(2026, 11, 29, 19, 0, tzinfo=datetime.UTC),  # Monday 00:30 in IST, Sunday in UTC
        datetime.datetime(2026, 12, 31, 18, 29, tzinfo=datetime.UTC),  # the last minute of the year in IST
    ):
        for period in raw_app.PERIODS:
            window = period_window(period, moment)
            assert raw_app._window(period, moment) == (window.start, window.starts_at, window.ends_at)


# --- whole bodies, on the demo data (PostgreSQL: the raw app speaks psycopg) ---------------------------------


@pytest.fixture
def raw(transactional_db, monkeypatch):
    """The raw app pointed at the test database (its own psycopg connection, so the data must be committed)."""
    from django.db import connection

    params = connection.settings_dict
    url = f"postgres://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{params['NAME']}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("JWT_PRIVATE_KEY", settings.HEADLESS_JWT_PRIVATE_KEY)
    monkeypatch.setattr(raw_app, "_PUBLIC_KEY", None)
    yield raw_app
    live = getattr(raw_app._local, "connection", None)
    if live is not None:
        live.close()
        raw_app._local.connection = None


def _raw_get(app, path: str, token: str = "") -> tuple[str, bytes]:
    route, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": route,
        "QUERY_STRING": query,
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
    }
    if token:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    status: list[str] = []
    body = b"".join(app.app(environ, lambda s, headers: status.append(s)))
    return status[0], body


@pytest.mark.postgres
@pytest.mark.calendar
def test_the_raw_app_serves_the_apis_bytes_for_every_benchmarked_route(raw, client):
    from catalog.models import Course, Enrollment
    from seed import content

    # Given the demo data and the demo student signed in through allauth's app client
    call_command("seed_demo", force=True, stdout=StringIO())
    login = client.post(
        "/_allauth/app/v1/auth/login",
        {"email": content.STUDENT_EMAIL, "password": content.DEMO_PASSWORD},
        content_type="application/json",
    )
    token = login.json()["meta"]["access_token"]
    mine = Enrollment.objects.filter(user__email=content.STUDENT_EMAIL, status=Enrollment.Status.ACTIVE)
    enrolled = mine.select_related("course__domain").order_by("created_at").first().course
    other = Course.objects.published().exclude(pk__in=mine.values("course_id")).order_by("slug").first()
    assert other is not None and other.modules.filter(lessons__is_preview=False).exists()
    paths = [
        f"/api/courses/?domain={enrolled.domain.slug}",
        f"/api/courses/{enrolled.pk}/",
        f"/api/courses/{enrolled.pk}/curriculum/",  # has_access: content URLs shown
        f"/api/courses/{other.pk}/curriculum/",  # not enrolled: locked lessons, URLs null
        "/api/enrollments/",
        "/api/leaderboard/?period=weekly",
        "/api/leaderboard/?period=monthly",
        "/api/domains/",
    ]
    for token_used in (token, ""):
        for path in paths:
            if path == "/api/enrollments/" and not token_used:
                continue
            # When both serve the route
            headers = {"HTTP_AUTHORIZATION": f"Bearer {token_used}"} if token_used else {}
            expected = client.get(path, **headers)
            status, body = _raw_get(raw, path, token_used)
            # Then the raw app's bytes are the API's
            assert expected.status_code == 200, (path, expected.content)
            assert (status, body) == ("200 OK", expected.content), path


@pytest.mark.postgres
def test_the_raw_app_refuses_a_tampered_token(raw):
    status, body = _raw_get(raw, "/api/enrollments/", "e30.e30.c2lnbmF0dXJl")
    assert status == "401 Unauthorized"
    assert b'"code":"invalid_token"' in body


# --- personal reads (issue #18, item 1) ------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.calendar
def test_the_raw_app_serves_the_apis_bytes_for_the_personal_reads(raw, client, monkeypatch):
    from seed import content

    # Given the demo data (the demo student holds a certificate, payments and XP) and that student signed in
    call_command("seed_demo", force=True, stdout=StringIO())
    monkeypatch.setattr(raw, "VERIFY_URL", settings.CERTIFICATES_VERIFY_URL)
    login = client.post(
        "/_allauth/app/v1/auth/login",
        {"email": content.STUDENT_EMAIL, "password": content.DEMO_PASSWORD},
        content_type="application/json",
    )
    token = login.json()["meta"]["access_token"]
    for path in raw.PERSONAL_ROUTES:
        # When both serve the route
        expected = client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
        status, body = _raw_get(raw, path, token)
        # Then the raw app's bytes are the API's, and the lists are not empty
        assert expected.status_code == 200, (path, expected.content)
        assert (status, body) == ("200 OK", expected.content), path
        assert b'"results":[]' not in body and b'"events":[]' not in body, path
    # And anonymous callers are refused by both
    for path in raw.PERSONAL_ROUTES:
        assert _raw_get(raw, path)[0] == "401 Unauthorized"
