"""Project-wide endpoints (health) and the JSON answers for errors raised outside DRF views."""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from common.exceptions import error_body
from common.serializers import HealthSerializer

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any driver error means "down" here
        logger.exception("health: database check failed")
        return False


def _cache_ok() -> bool:
    key, value = "health:probe", uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=10)
        return cache.get(key) == value
    except Exception:
        logger.exception("health: cache check failed")
        return False


@extend_schema(
    tags=["health"],
    auth=[],
    responses={200: HealthSerializer, 503: OpenApiResponse(HealthSerializer, description="A dependency is down.")},
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def health(request):
    checks = {"database": _database_ok(), "cache": _cache_ok()}
    body = {"status": "ok" if all(checks.values()) else "unavailable"}
    body.update({name: "ok" if ok else "unavailable" for name, ok in checks.items()})
    if body["status"] == "ok":
        return Response(body)
    failing = ", ".join(name for name, ok in checks.items() if not ok)
    body.update(error_body(f"Unavailable: {failing}.", "service_unavailable"))
    return Response(body, status=503)


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
    return JsonResponse(error_body(f"CSRF verification failed: {reason}", "csrf_failed"), status=403)
