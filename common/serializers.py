"""Serializers shared by every app: the error body (used in the OpenAPI schema), the related-object field
every input serializer uses, the bounded datetime field every model serializer uses, and the datetime writer
of the hot paths that shape rows without a serializer."""

import datetime

from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from common.timeutils import display_zone

_datetime = serializers.DateTimeField().to_representation


def _iso_8601() -> bool:
    return str(api_settings.DATETIME_FORMAT).lower() == ISO_8601


def datetime_representation(value: datetime.datetime | None, zone: datetime.tzinfo | None = None) -> str | None:
    """A datetime exactly as a serializer's ``DateTimeField`` writes it (local time zone, "Z" for UTC).

    An aware datetime under ISO 8601 output (the settings' format) is written here directly, as DRF writes it
    (``astimezone`` to the current zone, ``isoformat``, "+00:00" as "Z"), without DRF's per-call look-ups: the
    hot paths write twenty of these per answer. Anything else is DRF's. ``zone`` is ``display_zone()`` when the
    caller writes a page of rows: looked up once per answer (it reads a context-local), not once per value.
    """
    if value is None:
        return None
    if type(value) is datetime.datetime and timezone.is_aware(value) and _iso_8601():
        text = value.astimezone(display_zone() if zone is None else zone).isoformat()
        return f"{text[:-6]}Z" if text.endswith("+00:00") else text
    return _datetime(value)


class DateTimeField(serializers.DateTimeField):
    """DRF's datetime, refused (400) outside 1970-01-01 .. 2100-01-01 UTC.

    Before 1906 the academy's zone (Asia/Kolkata) had offsets with seconds (local mean time, +05:53:28), which
    RFC 3339 cannot write, so a coupon starting in year 137 would be answered with a ``date-time`` no client can
    parse; and arithmetic near year 1 or 9999 overflows. No date of this product lies outside this range.
    ``common.apps`` makes it the field of every model ``DateTimeField`` in a ``ModelSerializer``.
    """

    EARLIEST = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    LATEST = datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC)
    default_error_messages = {"out_of_range": "Must be between 1970-01-01 and 2100-01-01."}

    def to_internal_value(self, value):
        moment = super().to_internal_value(value)
        aware = moment if timezone.is_aware(moment) else timezone.make_aware(moment, datetime.UTC)
        if not self.EARLIEST <= aware < self.LATEST:
            self.fail("out_of_range")
        return moment


class PrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object by id, refused in the product's words.

    DRF's own field answers ``Invalid pk "…" - object does not exist.`` and ``Incorrect type. Expected pk
    value, received int.``; every id of this API is a UUID, parsed first, so a malformed one never reaches the
    database. Pass ``error_messages={"does_not_exist": ...}`` where the queryset narrows what is available
    (e.g. only published courses can be bought) to say why.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("pk_field", serializers.UUIDField())
        super().__init__(**kwargs)
        queryset = kwargs.get("queryset")
        noun = queryset.model._meta.verbose_name if queryset is not None else "object"
        defaults = {
            "does_not_exist": f"There is no {noun} with this id, or it is not available.",
            "incorrect_type": f"Must be the id of a {noun} (a UUID).",
        }
        for key, message in defaults.items():
            if key not in (kwargs.get("error_messages") or {}):
                self.error_messages[key] = message


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="A human sentence describing the error.")
    code = serializers.CharField(help_text="A stable machine-readable code.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Only for 400 invalid input: messages per field (nested fields use dotted paths).",
    )


HEALTH_STATES = ["ok", "unavailable"]


class HealthSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=HEALTH_STATES)
    database = serializers.ChoiceField(choices=HEALTH_STATES)
    cache = serializers.ChoiceField(choices=HEALTH_STATES)
    detail = serializers.CharField(required=False)
    code = serializers.CharField(required=False)


class LivenessSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["ok"])


class ReadinessSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=HEALTH_STATES)
    database = serializers.ChoiceField(choices=HEALTH_STATES)
    detail = serializers.CharField(required=False)
    code = serializers.CharField(required=False)
