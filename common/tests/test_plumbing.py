"""The API conventions every route shares: error bodies, pagination, rate limits, roles, headers."""

import json

import pytest
from django.test import override_settings

pytestmark = [pytest.mark.django_db, pytest.mark.urls("common.tests.urls")]


def test_invalid_fields_give_400_with_field_errors(api_client):
    # When a body fails validation
    response = api_client.post("/api/test/echo/", {"name": "x" * 11, "age": -1, "tags": ["ok", "long"]}, format="json")

    # Then the error body names each field, nested ones by dotted path
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"] == "Invalid input."
    assert set(body["errors"]) == {"name", "age", "tags.1"}
    assert all(isinstance(m, str) for messages in body["errors"].values() for m in messages)


def test_valid_body_passes(api_client):
    response = api_client.post("/api/test/echo/", {"name": "Asha", "age": 20}, format="json")
    assert response.status_code == 200
    assert response.json() == {"name": "Asha", "age": 20}


def test_malformed_json_is_400(api_client):
    response = api_client.post("/api/test/echo/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_wrong_content_type_is_415(api_client):
    response = api_client.post("/api/test/echo/", data="name=a", content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [("conflict", 409, "already_done"), ("payment", 402, "payment_required"), ("unavailable", 503, "gateway_down")],
)
def test_service_errors_map_to_status_and_code(api_client, kind, status, code):
    response = api_client.get(f"/api/test/service-error/{kind}/")
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["detail"]


def test_unknown_api_path_is_json_404(api_client):
    response = api_client.get("/api/no/such/thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_wrong_method_is_json_405(api_client):
    response = api_client.delete("/api/health/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_unauthenticated_is_json_401(api_client):
    response = api_client.get("/api/test/role/student/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_huge_body_is_413_and_never_read(api_client):
    response = api_client.generic(
        "POST", "/api/test/echo/", data=json.dumps({"name": "a" * (2 * 1024 * 1024)}), content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_unexpected_error_is_json_500(client):
    client.raise_request_exception = False
    response = client.get("/api/test/crash/")
    assert response.status_code == 500
    assert response.json() == {"detail": "A server error occurred.", "code": "server_error"}


@pytest.mark.parametrize(
    ("query", "expected_size"), [("", 20), ("?page_size=5", 5), ("?page_size=1000", 100), ("?page_size=0", 1)]
)
def test_pagination_defaults_and_clamps(api_client, query, expected_size):
    response = api_client.get(f"/api/test/numbers/{query}")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 250
    assert len(body["results"]) == expected_size
    assert set(body) == {"count", "next", "previous", "results"}


def test_page_size_that_is_not_a_number_is_400(api_client):
    response = api_client.get("/api/test/numbers/?page_size=abc")
    assert response.status_code == 400
    assert response.json()["errors"] == {"page_size": ["A whole number is required."]}


def test_page_past_the_end_is_json_404(api_client):
    response = api_client.get("/api/test/numbers/?page=999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_rate_limit_gives_429_with_retry_after(api_client):
    assert api_client.post("/api/test/limited/").status_code == 200
    assert api_client.post("/api/test/limited/").status_code == 200

    response = api_client.post("/api/test/limited/")

    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("student", {"student"}),
        ("instructor", {"staff"}),
        ("admin", {"admin", "staff"}),
    ],
)
def test_role_permissions(make_user, client_for, role, allowed):
    client = client_for(make_user(role))
    for name in ("student", "admin", "staff"):
        response = client.get(f"/api/test/role/{name}/")
        expected = 200 if name in allowed else 403
        assert response.status_code == expected, (role, name)
        if expected == 403:
            assert response.json()["code"] == "permission_denied"


def test_request_id_is_echoed_or_made(api_client):
    assert api_client.get("/api/health/", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    generated = api_client.get("/api/health/", HTTP_X_REQUEST_ID="bad id with spaces")["X-Request-ID"]
    assert len(generated) == 32


@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_SSL_REDIRECT=False)
def test_security_headers(client):
    response = client.get("/api/health/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@override_settings(CORS_ALLOWED_ORIGINS=["https://app.example.com"])
def test_cors_only_for_allowed_origins(client):
    allowed = client.get("/api/health/", HTTP_ORIGIN="https://app.example.com")
    assert allowed["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert allowed["Access-Control-Allow-Credentials"] == "true"
    refused = client.get("/api/health/", HTTP_ORIGIN="https://evil.example.com")
    assert "Access-Control-Allow-Origin" not in refused


def test_database_data_error_is_400_not_500(api_client):
    # Given input the database refuses (PostgreSQL raises DataError for a NUL byte in text)
    response = api_client.get("/api/test/data-error/")

    # Then the client is told its input is invalid
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
