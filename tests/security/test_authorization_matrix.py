"""OWASP API1/API5: every route, every method, every kind of caller, including another user's object.

Each (route, method) builds the world once, then tries each actor inside a savepoint that is rolled back,
so every actor meets the same, untouched objects.
"""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.db import transaction

from tests.security.conftest import ACTORS
from tests.security.matrix import MATRIX
from tests.security.routes import api_routes

ROUTES = api_routes()


class _Rollback(Exception):
    pass


def test_every_route_of_the_url_configuration_has_a_matrix_entry():
    # Given every (route name, method) the resolver knows under /api/
    found = {(route.name, route.method) for route in ROUTES}

    # Then each has an entry, and no entry is stale
    missing = sorted(found - set(MATRIX))
    stale = sorted(set(MATRIX) - found)
    assert not missing, (
        f"routes without an authorization matrix entry (add them to tests/security/matrix.py): {missing}"
    )
    assert not stale, f"matrix entries for routes that no longer exist: {stale}"


def test_every_entry_covers_every_actor():
    for key, case in MATRIX.items():
        assert set(case.expect) == set(ACTORS), key


def call(world, actor: str, method: str, case):
    url = case.url(world)
    if case.query:
        url += "?" + "&".join(f"{name}={value(world)}" for name, value in case.query.items())
    body = json.dumps(case.body(world)) if case.body else None
    return world.client(actor).generic(method, url, data=body, content_type="application/json")


@pytest.mark.parametrize("key", sorted(MATRIX), ids=lambda key: f"{key[1]} {key[0]}")
def test_route_answers_each_actor_as_the_matrix_says(key, world, fake_razorpay):
    name, method = key
    case = MATRIX[key]
    mismatches = []
    for actor in ACTORS:
        cache.clear()  # rate-limit counters must not leak from one actor to the next
        try:
            with transaction.atomic():
                response = call(world, actor, method, case)
                raise _Rollback
        except _Rollback:
            pass
        if response.status_code not in case.expect[actor]:
            mismatches.append(
                f"{actor}: got {response.status_code} expected {sorted(case.expect[actor])} "
                f"{getattr(response, 'content', b'')[:200]!r}"
            )
        elif response.status_code >= 400:
            # Every refusal is the JSON error shape, and a suspended account says so.
            body = response.json()
            assert {"detail", "code"} <= set(body), (actor, body)
            if actor == "suspended" and response.status_code == 403:
                assert body["code"] == "account_suspended", body
    assert not mismatches, f"{method} {name}:\n" + "\n".join(mismatches)
