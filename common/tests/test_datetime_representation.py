"""The hot paths' datetime writer writes exactly what DRF's DateTimeField writes."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.utils import timezone
from rest_framework import serializers

from common.serializers import datetime_representation
from common.timeutils import display_zone

UTC = datetime.UTC
MOMENTS = [
    datetime.datetime(2026, 11, 30, 16, 30, 0, tzinfo=UTC),
    datetime.datetime(2026, 11, 30, 16, 30, 0, 123456, tzinfo=UTC),
    datetime.datetime(2026, 3, 8, 2, 30, 0, 1, tzinfo=zoneinfo.ZoneInfo("America/New_York")),
    datetime.datetime(1970, 1, 1, tzinfo=zoneinfo.ZoneInfo("Asia/Kolkata")),
    datetime.datetime(2099, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.timezone(datetime.timedelta(hours=-3))),
    datetime.datetime(2026, 11, 30, 16, 30),  # naive: DRF's own path
]


@pytest.mark.parametrize("zone", ["Asia/Kolkata", "UTC", "America/New_York"])
@pytest.mark.parametrize("index", range(len(MOMENTS)))
def test_it_writes_what_drf_writes(zone, index):
    field = serializers.DateTimeField()
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        assert datetime_representation(MOMENTS[index]) == field.to_representation(MOMENTS[index])


@pytest.mark.parametrize("zone", ["Asia/Kolkata", "UTC", "America/New_York"])
@pytest.mark.parametrize("index", range(len(MOMENTS)))
def test_the_zone_looked_up_once_for_a_page_writes_the_same(zone, index):
    field = serializers.DateTimeField()
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        looked_up = display_zone()
        assert datetime_representation(MOMENTS[index], looked_up) == field.to_representation(MOMENTS[index])


def test_other_formats_and_none_are_drfs(settings):
    assert datetime_representation(None) is None
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DATETIME_FORMAT": "%Y-%m-%d %H:%M"}
    moment = MOMENTS[0]
    assert datetime_representation(moment) == serializers.DateTimeField().to_representation(moment)
    assert datetime_representation(moment) == timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
