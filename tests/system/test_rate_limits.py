"""Rate limits hold across processes: two gunicorn servers (two workers each) count on one Redis.

Requests alternate between the servers, so a limit counted per process would let several times the limit
through; the 429 must come right after the limit, with ``Retry-After``.
"""

from __future__ import annotations

import uuid

import pytest
import requests

from tests.system import harness
from tests.system.conftest import LIMIT, LOGIN_LIMIT

pytestmark = pytest.mark.system


def hammer(stack, send, attempts: int) -> list[requests.Response]:
    """Send up to ``attempts`` requests alternating between the servers; stop at the first 429."""
    responses = []
    for index in range(attempts):
        response = send(stack["servers"][index % 2], index)
        responses.append(response)
        if response.status_code == 429:
            break
    return responses


def assert_limited_after(responses: list[requests.Response], allowed: int) -> None:
    statuses = [response.status_code for response in responses]
    assert 429 not in statuses[:allowed], statuses
    assert len(statuses) == allowed + 1 and statuses[-1] == 429, statuses
    limited = responses[-1]
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.json()["code"] == "rate_limited"


def test_sign_in(two_servers):
    def send(server, index):
        body = {"email": two_servers["world"]["students"][0], "password": f"wrong-{index}"}
        return requests.post(f"{server}/_allauth/app/v1/auth/login", json=body, timeout=10)

    responses = hammer(two_servers, send, LOGIN_LIMIT * 4)

    assert_limited_after(responses, LOGIN_LIMIT - two_servers["logins_used"])


def test_sign_up(two_servers):
    def send(server, index):
        body = {"email": f"new-{uuid.uuid4().hex[:8]}@example.com", "password": "A-long-enough-passw0rd"}
        return requests.post(f"{server}/_allauth/app/v1/auth/signup", json=body, timeout=10)

    assert_limited_after(hammer(two_servers, send, LIMIT * 4), LIMIT)


def test_password_reset(two_servers):
    def send(server, index):
        body = {"email": two_servers["world"]["students"][1]}
        return requests.post(f"{server}/_allauth/app/v1/auth/password/request", json=body, timeout=10)

    assert_limited_after(hammer(two_servers, send, LIMIT * 4), LIMIT)


def test_payment_orders(two_servers):
    token = two_servers["tokens"][0]

    def send(server, index):
        body = {"course": two_servers["world"]["paid_course"]}
        return requests.post(f"{server}/api/payments/order/", json=body, headers=harness.auth(token), timeout=10)

    responses = hammer(two_servers, send, LIMIT * 4)

    assert_limited_after(responses, LIMIT)
    assert {response.status_code for response in responses[:LIMIT]} <= {200, 201}


def test_quiz_attempts(two_servers):
    token = two_servers["tokens"][0]
    server = two_servers["servers"][0]
    curriculum = requests.get(
        f"{server}/api/courses/{two_servers['world']['free_course']}/curriculum/", timeout=10
    ).json()
    module = curriculum["modules"][0]["id"]
    quizzes = requests.get(f"{server}/api/quizzes/?module={module}", headers=harness.auth(token), timeout=10).json()
    wrong = {"answers": [{"quiz": quiz["id"], "selected_option": 1} for quiz in quizzes["results"]]}

    def send(server, index):
        url = f"{server}/api/modules/{module}/quiz-attempts/"
        return requests.post(url, json=wrong, headers=harness.auth(token), timeout=10)

    responses = hammer(two_servers, send, LIMIT * 4)

    assert_limited_after(responses, LIMIT)
    assert all(response.status_code == 201 for response in responses[:LIMIT])


def test_forum_writes(two_servers):
    token = two_servers["tokens"][1]

    def send(server, index):
        body = {"course": two_servers["world"]["free_course"], "title": f"Question number {index}", "body": "Why?"}
        return requests.post(f"{server}/api/forum/posts/", json=body, headers=harness.auth(token), timeout=10)

    responses = hammer(two_servers, send, LIMIT * 4)

    assert_limited_after(responses, LIMIT)
    assert all(response.status_code == 201 for response in responses[:LIMIT])
