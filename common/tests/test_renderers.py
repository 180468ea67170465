"""The orjson renderer writes exactly DRF's bytes, and falls back to DRF for what orjson cannot write."""

from __future__ import annotations

import datetime
import decimal
import uuid

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from common.renderers import FastJSONRenderer

IST = datetime.timezone(datetime.timedelta(hours=5, minutes=30))


@pytest.mark.parametrize(
    "data",
    [
        {"count": 2, "next": None, "results": [{"id": 1, "ok": True, "score": 2.5, "ratio": 0.1, "big": 1e15}]},
        {"title": "Café ünïcode 😀", "control": "tab\tnul\x00", "js": "line\u2028paragraph\u2029"},
        {"utc": datetime.datetime(2026, 11, 30, 5, 0, 1, 123456, tzinfo=datetime.UTC)},
        {"ist": datetime.datetime(2026, 11, 30, 10, 30, tzinfo=IST), "naive": datetime.datetime(2026, 1, 1)},
        {"day": datetime.date(2026, 2, 28), "time": datetime.time(9, 30), "span": datetime.timedelta(minutes=3)},
        {"id": uuid.UUID("12345678-1234-5678-1234-567812345678"), "price": decimal.Decimal("499.00")},
        {"lazy": gettext_lazy("Not found.")},
        {1: "one", 5: "five"},
        ReturnDict({"items": ReturnList([{"a": []}], serializer=None)}, serializer=None),
        {"too_big_for_64_bits": 2**70},
        [],
        "",
    ],
    ids=lambda data: type(data).__name__ if not isinstance(data, dict) else ",".join(map(str, data))[:30],
)
def test_bytes_are_drfs(data):
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)


def test_nothing_renders_as_nothing():
    assert FastJSONRenderer().render(None) == b""


def test_an_indent_asked_for_in_accept_is_honoured_by_drf():
    rendered = FastJSONRenderer().render({"a": 1}, "application/json; indent=2")
    assert rendered == JSONRenderer().render({"a": 1}, "application/json; indent=2") == b'{\n  "a": 1\n}'


def test_the_api_uses_it(api_client):
    response = api_client.get("/api/health/live/")
    assert type(response.accepted_renderer) is FastJSONRenderer
