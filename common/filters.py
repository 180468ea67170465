"""Query-string filters shared by every list. A value a filter cannot use is a 400 naming the parameter,
never silently ignored: django-filter's own boolean filter reads ``?is_free=maybe`` as "no filter", and
DRF's ordering filter drops unknown fields, so both are replaced here."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django_filters import rest_framework as drf_filters
from rest_framework import filters
from rest_framework.exceptions import ValidationError

TRUE_VALUES = frozenset({"true", "1"})
FALSE_VALUES = frozenset({"false", "0"})


class StrictBooleanField(forms.Field):
    """``true``/``false`` (or ``1``/``0``); absent or empty means "no filter"; anything else is an error."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_python(self, value) -> bool | None:
        if value in (None, ""):
            return None
        lowered = str(value).strip().lower()
        if lowered in TRUE_VALUES:
            return True
        if lowered in FALSE_VALUES:
            return False
        raise DjangoValidationError(self.error_messages["invalid"], code="invalid")


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class FilterSet(drf_filters.FilterSet):
    """The project's FilterSet: boolean model fields get the strict filter too."""

    FILTER_DEFAULTS = {
        **drf_filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": BooleanFilter},
    }


class OrderingFilter(filters.OrderingFilter):
    """DRF's ``?ordering=`` (comma-separated, ``-`` for descending), where a field the view does not offer is
    a 400 on ``ordering`` instead of being dropped without a word."""

    def _allowed(self, queryset, view, request) -> list[str]:
        return sorted(name for name, _ in self.get_valid_fields(queryset, view, {"request": request}))

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if not raw:
            return self.get_default_ordering(view)
        fields = [part.strip() for part in raw.split(",") if part.strip()]
        valid = self.remove_invalid_fields(queryset, fields, view, request)
        if len(valid) != len(fields) or not valid:
            choices = ", ".join(self._allowed(queryset, view, request))
            raise ValidationError(
                {self.ordering_param: [f"Unknown ordering. Choose from: {choices} (prefix - for descending)."]}
            )
        return valid

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        fields = getattr(view, "ordering_fields", None)
        if isinstance(fields, (list, tuple)):
            for parameter in parameters:
                parameter["description"] = (
                    f"Comma-separated, - for descending; one or more of: {', '.join(fields)}. Any other value is a 400."
                )
        return parameters
