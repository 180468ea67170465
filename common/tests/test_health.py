"""GET /api/health/ checks the database and the cache."""

from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_health_ok(api_client):
    response = api_client.get("/api/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}})
def test_health_503_when_cache_down(api_client):
    # A cache that stores nothing behaves like an unreachable Redis with IGNORE_EXCEPTIONS.
    response = api_client.get("/api/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["cache"] == "unavailable"
    assert body["database"] == "ok"
    assert body["code"] == "service_unavailable"
    assert "cache" in body["detail"]


def test_health_503_when_database_down(api_client):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("connection refused")):
        response = api_client.get("/api/health/")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    assert response.json()["cache"] == "ok"
