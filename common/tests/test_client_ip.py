"""Behind trusted proxies the client address comes from X-Forwarded-For, never from a forged hop."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from common.middleware import ClientIPMiddleware


def remote_addr_seen(xff: str | None, trusted: int) -> str:
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", **({"HTTP_X_FORWARDED_FOR": xff} if xff else {}))
    seen = {}

    def view(req):
        seen["addr"] = req.META["REMOTE_ADDR"]
        return HttpResponse()

    with override_settings(TRUSTED_PROXY_COUNT=trusted):
        ClientIPMiddleware(view)(request)
    return seen["addr"]


@pytest.mark.parametrize(
    ("xff", "trusted", "expected"),
    [
        ("203.0.113.7", 0, "10.0.0.2"),  # no proxy trusted: the socket address
        ("203.0.113.7", 1, "203.0.113.7"),  # one load balancer appended the client
        ("6.6.6.6, 203.0.113.7", 1, "203.0.113.7"),  # the client forged a hop on the left: ignored
        ("6.6.6.6, 203.0.113.7, 10.0.0.9", 2, "203.0.113.7"),  # two proxies
        ("not-an-ip", 1, "10.0.0.2"),  # garbage is not trusted
        (None, 1, "10.0.0.2"),  # no header (direct hit on the app): the socket address
        ("2001:db8::1", 1, "2001:db8::1"),
    ],
)
def test_client_ip(xff, trusted, expected):
    assert remote_addr_seen(xff, trusted) == expected
