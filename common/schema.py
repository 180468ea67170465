"""OpenAPI generation: every operation documents the error responses the plumbing can return."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse

from common.serializers import ErrorSerializer

_ERROR_DESCRIPTIONS = {
    400: "Invalid input (`errors` lists the fields).",
    401: "Not authenticated.",
    403: "Not allowed (role, ownership, suspended account, or `mfa_required`: an admin without 2FA).",
    404: "Not found, or not visible to you.",
    405: "Method not allowed.",
    413: "Request body too large.",
    429: "Rate-limited; see `Retry-After`.",
}


class AutoSchema(SpectacularAutoSchema):
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
