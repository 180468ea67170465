"""OpenAPI generation: every operation documents the error responses the plumbing can return, lists each
security scheme once, and reads the same whatever database generates it."""

from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.backends.base.operations import BaseDatabaseOperations
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from common.serializers import ErrorSerializer

INT32 = (-(2**31), 2**31 - 1)

_ERROR_DESCRIPTIONS = {
    400: "Invalid input (`errors` lists the fields).",
    401: "Not authenticated.",
    403: "Not allowed (role, ownership, suspended account, or `mfa_required`: an admin without 2FA).",
    404: "Not found, or not visible to you.",
    405: "Method not allowed.",
    413: "Request body too large.",
    429: "Rate-limited; see `Retry-After`.",
}


def _model_integer_type(field: serializers.IntegerField) -> str | None:
    """The internal type (``"PositiveIntegerField"``...) of the model field behind a ModelSerializer field."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source:
        return None
    try:
        model_field = model._meta.get_field(field.source)
    except FieldDoesNotExist:
        return None
    internal_type = model_field.get_internal_type()
    return internal_type if internal_type in BaseDatabaseOperations.integer_field_ranges else None


class AutoSchema(SpectacularAutoSchema):
    def get_auth(self):
        # The authentication classes and SECURITY can name the same scheme: list each requirement once.
        unique = []
        for requirement in super().get_auth():
            if requirement not in unique:
                unique.append(requirement)
        return unique

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.IntegerField) and (internal_type := _model_integer_type(field)):
            schema = self._portable_integer_bounds(schema, internal_type)
        return schema

    @staticmethod
    def _portable_integer_bounds(schema: dict, internal_type: str) -> dict:
        """Model integer fields get validators from the database in use (SQLite: 64 bits for every column,
        PostgreSQL: the column's type): document the column type's standard range (PostgreSQL's, the
        production database) instead, so the schema is the same whatever database generates it. Bounds
        from the field's own validators (``MinValueValidator(1)``) differ from the vendor's and stay."""
        vendor_low, vendor_high = connection.ops.integer_field_range(internal_type)
        low, high = BaseDatabaseOperations.integer_field_ranges[internal_type]
        schema = dict(schema)
        if schema.get("minimum") == vendor_low:
            schema["minimum"] = low
        if schema.get("maximum") == vendor_high:
            schema["maximum"] = high
        if INT32[0] <= schema.get("minimum", 0) and schema.get("maximum", 0) <= INT32[1]:
            if schema.get("format") == "int64":
                del schema["format"]
        else:
            schema["format"] = "int64"
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status_code, description in _ERROR_DESCRIPTIONS.items():
            if status_code == 413 and self.method not in ("POST", "PUT", "PATCH"):
                continue
            key = str(status_code)
            if key not in responses:
                responses[key] = self._get_response_for_code(
                    OpenApiResponse(response=ErrorSerializer, description=description), key, direction=direction
                )
        return responses


class JWTAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "common.authentication.JWTAuthentication"
    name = "jwtAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


class SessionAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "common.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
