"""Project-wide endpoints (health) and the JSON answers for errors raised outside DRF views."""

import contextlib
import logging
import sys
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from common.db import database_unavailable, statement_timeout
from common.errors import CommonErrorCode
from common.exceptions import database_unavailable_error, error_body
from common.serializers import HealthSerializer, LivenessSerializer, ReadinessSerializer

logger = logging.getLogger(__name__)


# A probe answers within its load balancer's timeout even when the database stalls.
_PROBE_DEADLINE_MS = 2000


def _database_ok() -> bool:
    try:
        # The deadline needs a transaction on PostgreSQL; elsewhere (SQLite) a bare SELECT takes no lock.
        deadline = (
            statement_timeout(statement_ms=_PROBE_DEADLINE_MS, lock_ms=_PROBE_DEADLINE_MS)
            if connection.vendor == "postgresql"
            else contextlib.nullcontext()
        )
        with deadline, connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any driver error means "down" here
        logger.exception("health: database check failed")
        return False


def _cache_ok() -> bool:
    # A key of its own per probe: with one shared key, concurrent probes overwrote each other's value and
    # reported a healthy cache as down.
    key, value = f"health:probe:{uuid.uuid4().hex}", uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=10)
        ok = cache.get(key) == value
        cache.delete(key)
        return ok
    except Exception:
        logger.exception("health: cache check failed")
        return False


def _no_store(response: Response) -> Response:
    # A probe answer cached by a proxy would report the past.
    response["Cache-Control"] = "no-store"
    return response


def _health_response(checks: dict[str, bool]) -> Response:
    body = {"status": "ok" if all(checks.values()) else "unavailable"}
    body.update({name: "ok" if ok else "unavailable" for name, ok in checks.items()})
    if body["status"] == "ok":
        return _no_store(Response(body))
    failing = ", ".join(name for name, ok in checks.items() if not ok)
    code = CommonErrorCode.SERVICE_UNAVAILABLE if checks.get("database", True) else CommonErrorCode.DATABASE_UNAVAILABLE
    body.update(error_body(f"Unavailable: {failing}.", code))
    return _no_store(Response(body, status=503, headers={"Retry-After": str(settings.DATABASE_RETRY_AFTER_SECONDS)}))


@extend_schema(
    tags=["health"],
    auth=[],
    summary="Health of this process and its dependencies (database and cache)",
    responses={200: HealthSerializer, 503: OpenApiResponse(HealthSerializer, description="A dependency is down.")},
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def health(request):
    return _health_response({"database": _database_ok(), "cache": _cache_ok()})


@extend_schema(
    tags=["health"],
    auth=[],
    summary="Liveness: the process answers (touches no database or cache)",
    description="Restart the process when this fails. It never touches a dependency, so a saturated or "
    "unreachable database cannot get a healthy process killed.",
    responses={200: LivenessSerializer},
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def health_live(request):
    return _no_store(Response({"status": "ok"}))


@extend_schema(
    tags=["health"],
    auth=[],
    summary="Readiness: this process can serve requests (the database answers)",
    description="Take the process out of the load balancer while this fails. The cache is not required: "
    "without Redis the API keeps answering (rate limits fail open), so `/api/health/` reports it instead.",
    responses={
        200: ReadinessSerializer,
        503: OpenApiResponse(ReadinessSerializer, description="`database_unavailable`, with Retry-After."),
    },
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def health_ready(request):
    return _health_response({"database": _database_ok()})


# Exempt: an unknown path is a 404 for every method, whatever the CSRF state (there is nothing to protect).
@csrf_exempt
def api_not_found(request, *args, **kwargs):
    return JsonResponse(error_body("Not found.", "not_found"), status=404)


def _is_api(request) -> bool:
    return request.path.startswith(("/api/", "/_allauth/"))


def handler404(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body("Not found.", "not_found"), status=404)
    return defaults.page_not_found(request, exception)


def handler500(request):
    # Django calls this inside its `except` block, for errors raised by any view or middleware (DRF's
    # handler only sees its own views): an unavailable database is a 503 to retry, never a 500.
    exc = sys.exc_info()[1]
    if exc is not None and database_unavailable(exc):
        body, headers = database_unavailable_error(exc)
        if _is_api(request):
            response = JsonResponse(body, status=503)
        else:
            response = HttpResponse(body["detail"], status=503, content_type="text/plain; charset=utf-8")
        for name, value in headers.items():
            response[name] = value
        return response
    if _is_api(request):
        return JsonResponse(error_body("A server error occurred.", "server_error"), status=500)
    return defaults.server_error(request)


def handler400(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body("Bad request.", "bad_request"), status=400)
    return defaults.bad_request(request, exception)


def handler403(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body("You do not have permission to do this.", "permission_denied"), status=403)
    return defaults.permission_denied(request, exception)


def csrf_failure(request, reason=""):
    return JsonResponse(error_body(f"CSRF verification failed: {reason}", CommonErrorCode.CSRF_FAILED), status=403)
