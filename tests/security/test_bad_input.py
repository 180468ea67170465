"""Bad input on every write route and every list: a clean JSON 4xx, and nothing in the database changes.

Each write route of the authorization matrix is called as a caller the matrix allows, with malformed JSON,
bodies of the wrong shape, fields of the wrong type, oversized bodies, very long strings, NUL bytes and
injection-looking strings. Reads get absurd query strings (page sizes, pages, orderings, ids).
"""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.db import transaction

from tests.security.conftest import ACTORS
from tests.security.fingerprint import database_fingerprint
from tests.security.matrix import MATRIX

WRITES = sorted(key for key, case in MATRIX.items() if key[1] in ("POST", "PATCH") and case.body is not None)
READS = sorted(key for key in MATRIX if key[1] == "GET")
# Bytes the server must accept only as data, never as code or markup.
INJECTIONS = [
    "'; DROP TABLE accounts_user; --",
    '" OR 1=1 --',
    "<script>alert(document.cookie)</script>",
    "{{7*7}}${7*7}",
    "../../../../etc/passwd",
]
WRONG_TYPES = [{"nested": 1}, [1, 2], True]


class _Rollback(Exception):
    pass


def allowed_actor(case) -> str:
    """A caller the matrix lets through (the webhook lets nobody through: anyone may call it, unsigned)."""
    for actor in ACTORS:
        if any(200 <= status < 300 for status in case.expect[actor]):
            return actor
    return "anonymous"


def send(world, actor: str, method: str, url: str, data: bytes | str, content_type: str = "application/json"):
    cache.clear()
    return world.client(actor).generic(method, url, data=data, content_type=content_type)


def assert_clean_refusal(response, *statuses: int) -> dict:
    assert response.status_code in statuses, (response.status_code, response.content[:300])
    body = response.json()
    assert {"detail", "code"} <= set(body), body
    return body


def attempt(world, actor, method, url, data, content_type="application/json"):
    """Send inside a savepoint: a refusal must leave the fingerprint alone; anything accepted is rolled back."""
    before = database_fingerprint()
    response = None
    try:
        with transaction.atomic():
            response = send(world, actor, method, url, data, content_type)
            changed = database_fingerprint() != before
            raise _Rollback
    except _Rollback:
        pass
    assert response.status_code < 500, (url, data[:200], response.content[:300])
    if response.status_code >= 400:
        assert not changed, f"{method} {url} answered {response.status_code} but changed the database"
    return response


@pytest.mark.parametrize("key", WRITES, ids=lambda key: f"{key[1]} {key[0]}")
def test_write_route_refuses_malformed_bodies_cleanly(key, world, fake_razorpay):
    method = key[1]
    case = MATRIX[key]
    actor, url = allowed_actor(case), case.url(world)

    # Malformed JSON, and JSON that is not an object
    for raw in ['{"a": ', "{'single': 'quotes'}", "[]", '"text"', "null", "42", "\x00\x01\x02"]:
        response = attempt(world, actor, method, url, raw)
        assert_clean_refusal(response, 400)
    # A body that is not JSON at all
    response = attempt(world, actor, method, url, "a=1&b=2", content_type="application/x-www-form-urlencoded")
    assert_clean_refusal(response, 415, 400)  # 400: the webhook checks its signature before parsing
    # Larger than DATA_UPLOAD_MAX_MEMORY_SIZE
    response = attempt(world, actor, method, url, json.dumps({"padding": "x" * (1024 * 1024 + 1)}))
    assert_clean_refusal(response, 413)
    assert response.json()["code"] == "payload_too_large"


@pytest.mark.parametrize("key", WRITES, ids=lambda key: f"{key[1]} {key[0]}")
def test_write_route_refuses_wrong_types_long_strings_and_nul_bytes_per_field(key, world, fake_razorpay):
    method = key[1]
    case = MATRIX[key]
    actor, url = allowed_actor(case), case.url(world)
    valid = case.body(world)

    for field, value in valid.items():
        for wrong in WRONG_TYPES:
            if type(wrong) is type(value):
                continue
            response = attempt(world, actor, method, url, json.dumps({**valid, field: wrong}))
            # 404: DRF reads an integer (and so a boolean) as a UUID, which then matches no row.
            body = assert_clean_refusal(response, 400, 404)
            if response.status_code == 400 and body["code"] == "invalid":
                assert any(name.split(".")[0] == field for name in body.get("errors", {})), (field, wrong, body)
        if isinstance(value, str):
            for bad in ("x" * 100_000, f"{value}\x00"):
                response = attempt(world, actor, method, url, json.dumps({**valid, field: bad}))
                assert_clean_refusal(response, 400)
            for text in [*INJECTIONS, "Zoë 🎓 \u202e\u200b ﷽ \x07"]:
                attempt(world, actor, method, url, json.dumps({**valid, field: text}))


ABSURD_QUERIES = [
    "page_size=100000000000000000000000",
    "page_size=-5",
    "page_size=abc",
    "page=-1",
    "page=abc",
    "page=99999999",
    "ordering=password",
    "search=%27%20OR%201%3D1%20--",
    "search=" + "x" * 5000,
    "course=not-a-uuid",
    "module=%00",
    "domain=..%2F..%2Fetc",
    "status=%3Cscript%3E",
    "period=forever",
    "limit=100000000000000000000",
    "from=2020-13-45",
    "to=yesterday",
    "is_free=maybe",
]


@pytest.mark.parametrize("key", READS, ids=lambda key: f"GET {key[0]}")
def test_read_route_survives_absurd_query_strings(key, world):
    case = MATRIX[key]
    actor = allowed_actor(case)
    base = case.url(world)
    fixed = "&".join(f"{name}={value(world)}" for name, value in case.query.items())
    for query in ABSURD_QUERIES:
        url = f"{base}?{fixed}&{query}" if fixed else f"{base}?{query}"
        cache.clear()
        response = world.client(actor).get(url)
        assert response.status_code < 500, (url, response.content[:300])
        if response.status_code >= 400:
            assert {"detail", "code"} <= set(response.json()), (url, response.content[:300])
        elif response.get("Content-Type", "").startswith("application/json"):
            body = response.json()
            if isinstance(body, dict) and isinstance(body.get("results"), list):
                assert len(body["results"]) <= 100, url
