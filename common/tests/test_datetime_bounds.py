"""Datetimes a client writes are bounded (common.serializers.DateTimeField): outside 1970–2100 is a 400."""

from __future__ import annotations

import datetime

import pytest
from django.db import models
from rest_framework import serializers

from common.serializers import DateTimeField

pytestmark = pytest.mark.django_db
COUPONS = "/api/admin/coupons/"


@pytest.mark.parametrize(
    "value",
    [
        "0137-04-08T13:18:21.652978Z",  # Asia/Kolkata's local mean time (+05:53:28) has no RFC 3339 spelling
        "1969-12-31T23:59:59Z",
        "2100-01-01T00:00:00Z",
        "9999-12-31T23:59:59+05:30",
    ],
)
def test_a_datetime_outside_the_range_is_refused(value):
    field = DateTimeField()
    with pytest.raises(serializers.ValidationError) as refused:
        field.run_validation(value)
    assert refused.value.detail == ["Must be between 1970-01-01 and 2100-01-01."]


@pytest.mark.parametrize("value", ["1970-01-01T00:00:00Z", "2026-11-30T00:01:00+05:30", "2099-12-31T23:59:59Z"])
def test_a_datetime_inside_the_range_is_taken(value):
    assert DateTimeField().run_validation(value) == datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_every_model_serializer_writes_datetimes_through_the_bounded_field():
    from billing.models import Coupon

    model_field = Coupon._meta.get_field("starts_at")
    assert isinstance(model_field, models.DateTimeField)
    field_class, _kwargs = serializers.ModelSerializer().build_standard_field("starts_at", model_field)
    assert field_class is DateTimeField


def test_a_coupon_starting_in_year_137_is_refused_and_nothing_is_written(client_for, admin_user):
    from billing.models import Coupon

    body = {"code": "ANCIENT", "discount_type": "amount", "value": "10", "starts_at": "0137-04-08T13:18:21Z"}
    response = client_for(admin_user).post(COUPONS, body, format="json")
    assert response.status_code == 400
    assert "starts_at" in str(response.json())
    assert not Coupon.objects.exists()
