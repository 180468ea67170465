"""Health probes: /api/health/ (database and cache), /api/health/live/ (the process), /api/health/ready/
(the database). JSON, no authentication, never cached."""

import os
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import override_settings
from rest_framework.test import APIClient

from tests.support.concurrency import returned, run_concurrently

pytestmark = pytest.mark.django_db


def test_health_ok(api_client):
    response = api_client.get("/api/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert response["Cache-Control"] == "no-store"


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


def test_health_503_when_the_database_refuses_connections(api_client, database_outage):
    response = api_client.get("/api/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "unavailable" and body["cache"] == "ok"
    assert body["code"] == "database_unavailable"
    assert response["Retry-After"] == str(settings.DATABASE_RETRY_AFTER_SECONDS)
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/api/health/", "/api/health/live/", "/api/health/ready/"])
def test_probes_ignore_credentials(api_client, path):
    # A stale token from whoever configured the probe must not turn it into a 401.
    response = api_client.get(path, HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_liveness_touches_no_dependency(api_client, django_assert_num_queries):
    # When the orchestrator asks whether the process is alive
    with django_assert_num_queries(0):
        response = api_client.get("/api/health/live/")

    # Then it answers from the process alone
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_liveness_stays_ok_while_the_database_is_down(api_client, database_outage):
    # A database outage must take replicas out of rotation (readiness), never get them restarted (liveness).
    response = api_client.get("/api/health/live/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readiness_ok(api_client):
    response = api_client.get("/api/health/ready/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readiness_503_when_the_database_refuses_connections(api_client, database_outage):
    # Given a database that refuses connections
    # When the load balancer asks whether the process can serve
    response = api_client.get("/api/health/ready/")

    # Then it says no, in the error shape, with a time to ask again
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "unavailable",
        "detail": "Unavailable: database.",
        "code": "database_unavailable",
    }
    assert response["Retry-After"] == str(settings.DATABASE_RETRY_AFTER_SECONDS)
    assert response["Cache-Control"] == "no-store"


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}})
def test_readiness_does_not_depend_on_the_cache(api_client):
    # Without Redis the API keeps answering (rate limits fail open): no reason to leave the load balancer.
    response = api_client.get("/api/health/ready/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_concurrent_probes_on_a_shared_redis_all_report_ok():
    redis_url = os.environ.get("REDIS_TEST_URL")
    if not redis_url:
        pytest.skip("needs REDIS_TEST_URL (a Redis database the test may write to)")
    # Given the cache on a real Redis shared by every probe (as in production, where the load balancer
    # probes each replica and every replica's probe writes to the same Redis)
    cache_settings = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "dca-test-health",
        }
    }
    probes, rounds = 12, 15

    def probe() -> list[tuple[int, dict]]:
        client = APIClient()
        seen = []
        for _ in range(rounds):
            response = client.get("/api/health/")
            seen.append((response.status_code, response.json()))
        return seen

    with override_settings(CACHES=cache_settings):
        # When 12 probes check health at the same time, again and again
        seen_by_probe = returned(run_concurrently(probe, times=probes))
    statuses = [answer for seen in seen_by_probe for answer in seen]

    # Then every one of them sees a healthy cache (each probe checks a key of its own)
    assert len(statuses) == probes * rounds
    failures = [body for status, body in statuses if status != 200]
    assert failures == [], f"{len(failures)} of {len(statuses)} probes failed: {failures[:3]}"
