"""The production shape seen from outside: security headers, JSON logs with a request id, a Redis outage."""

from __future__ import annotations

import json
import time

import pytest
import requests

from tests.system import harness

pytestmark = pytest.mark.system


def test_responses_carry_the_security_headers_behind_a_tls_proxy(two_servers):
    # Given a request the TLS-terminating proxy forwarded (X-Forwarded-Proto: https)
    server = two_servers["servers"][0]

    response = requests.get(
        f"{server}/api/courses/", headers={"X-Forwarded-Proto": "https", "X-Request-ID": "probe-123"}, timeout=10
    )

    # Then the browser-facing protections are all there, and the request id comes back
    assert response.status_code == 200
    headers = response.headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["X-Request-ID"] == "probe-123"


def test_log_lines_are_json_with_the_request_id(two_servers):
    server = two_servers["servers"][1]
    request_id = f"log-probe-{time.monotonic_ns()}"

    requests.get(f"{server}/api/nowhere/", headers={"X-Request-ID": request_id}, timeout=10)
    time.sleep(0.5)

    lines = [line for line in (two_servers["logs"] / "web2.log").read_text().splitlines() if request_id in line]
    assert lines, "the request is not in the log"
    for line in lines:
        record = json.loads(line)
        assert record["request_id"] == request_id


def test_without_redis_the_api_keeps_answering_and_health_says_so(two_servers):
    # Given a replica whose Redis (cache, rate-limit counters) is unreachable
    env = {**two_servers["env"], "REDIS_URL": f"redis://{harness.LOOPBACK}:1/0"}
    with harness.gunicorn(env, two_servers["logs"], name="web-no-redis", workers=1, healthy_status=503) as server:
        # When a probe and a learner call it
        health = requests.get(f"{server}/api/health/", timeout=10)
        catalogue = requests.get(f"{server}/api/courses/", timeout=10)
        me = requests.get(f"{server}/api/auth/me/", headers=harness.auth(two_servers["tokens"][1]), timeout=10)

    # Then the health check reports the cache down while the API still answers (limits fail open)
    assert health.status_code == 503
    assert health.json()["cache"] == "unavailable" and health.json()["database"] == "ok"
    assert catalogue.status_code == 200 and catalogue.json()["count"] >= 1
    assert me.status_code == 200
