"""The one JSON error shape of the API, and the exceptions services raise.

Every error body is ``{"detail": str, "code": str}``; a 400 for invalid fields adds
``"errors": {"field": ["message", ...]}`` (nested fields use dotted paths: ``answers.0.quiz``).
Services raise ``ApplicationError`` subclasses; views never build error responses by hand.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from django_ratelimit.exceptions import Ratelimited
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from common.db import database_timed_out, database_unavailable
from common.errors import CommonErrorCode

logger = logging.getLogger(__name__)


class ApplicationError(Exception):
    """A business rule refused the request. Subclasses fix the HTTP status and default code."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.errors = errors


class PaymentRequiredError(ApplicationError):
    status_code = status.HTTP_402_PAYMENT_REQUIRED
    default_code = CommonErrorCode.PAYMENT_REQUIRED


class ForbiddenError(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "permission_denied"


class NotFoundError(ApplicationError):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "not_found"


class ConflictError(ApplicationError):
    status_code = status.HTTP_409_CONFLICT
    default_code = CommonErrorCode.CONFLICT


class RateLimitedError(ApplicationError):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = CommonErrorCode.RATE_LIMITED

    def __init__(self, message: str = "Too many requests. Try again later.", *, retry_after: int = 60):
        super().__init__(message)
        self.retry_after = max(int(retry_after), 1)


class ServiceUnavailableError(ApplicationError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = CommonErrorCode.SERVICE_UNAVAILABLE


class AccountSuspended(exceptions.APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = "This account is suspended."
    default_code = CommonErrorCode.ACCOUNT_SUSPENDED


class MFARequired(exceptions.APIException):
    """An admin without an authenticator app while ``STAFF_MFA_REQUIRED`` is on."""

    status_code = status.HTTP_403_FORBIDDEN
    default_detail = "Administrators must set up two-factor authentication (an authenticator app) before using the API."
    default_code = CommonErrorCode.MFA_REQUIRED


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = CommonErrorCode.PAYLOAD_TOO_LARGE


def error_body(detail: str, code: str, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"detail": str(detail), "code": str(code)}
    if errors is not None:
        body["errors"] = errors
    return body


def database_unavailable_error(exc: BaseException) -> tuple[dict[str, Any], dict[str, str]]:
    """Body and headers of the 503 for a database that is down or past its deadline (not a bug: retry)."""
    detail = (
        "The database did not answer in time. Try again shortly."
        if database_timed_out(exc)
        else "The database is unavailable. Try again shortly."
    )
    headers = {"Retry-After": str(settings.DATABASE_RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    return error_body(detail, CommonErrorCode.DATABASE_UNAVAILABLE), headers


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error structure into ``{"a.0.b": ["message"]}``."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            flat.update(flatten_errors(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        flat = {}
        for index, item in enumerate(detail):
            if item:
                flat.update(flatten_errors(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "non_field_errors": [str(detail)]}


def _first_code(detail: Any) -> str | None:
    if isinstance(detail, dict):
        detail = next(iter(detail.values()), None)
    if isinstance(detail, list):
        detail = detail[0] if detail else None
    return getattr(detail, "code", None)


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    # Imported here: rest_framework.views imports the authentication classes, which import this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, ApplicationError):
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimitedError) else None
        return Response(error_body(exc.message, exc.code, exc.errors), status=exc.status_code, headers=headers)
    if database_unavailable(exc):
        # Not a bug, but an operator must hear of it: DRF does not log the exceptions it answers.
        logger.error("database unavailable: %s", exc)
        body, headers = database_unavailable_error(exc)
        return Response(body, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers=headers)
    if isinstance(exc, Ratelimited):
        return Response(
            error_body("Too many requests. Try again later.", CommonErrorCode.RATE_LIMITED),
            status=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": "60"},
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, ObjectDoesNotExist):
        # A row the request had read was deleted by a concurrent request before it could lock or reread it:
        # for the caller the object is gone (404). Logged, so a ``.get()`` that is simply wrong still shows.
        logger.warning("%s answered 404: %s", type(exc).__name__, exc)
        exc = exceptions.NotFound()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, DataError):
        # Input the database cannot hold (a NUL byte in text, a number out of range) that slipped past a
        # serializer: the request is at fault, and the transaction it broke has already rolled back.
        exc = exceptions.ValidationError({"non_field_errors": ["The input contains values that cannot be stored."]})

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: handler500 answers with the JSON body

    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body(
            "Invalid input.", "invalid", flatten_errors(exc.detail) or {"non_field_errors": ["Invalid input."]}
        )
        return response

    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    code = _first_code(detail) or getattr(exc, "default_code", "error")
    if isinstance(detail, (dict, list)):
        flat = flatten_errors(detail)
        message = next(iter(flat.values()))[0] if flat else "Error."
    else:
        message = str(detail)
    if isinstance(exc, exceptions.Throttled):
        code = CommonErrorCode.RATE_LIMITED
    response.data = error_body(message, code)
    return response
