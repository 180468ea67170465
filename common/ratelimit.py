"""Rate limits on the shared cache (Redis in production), answered with 429 and ``Retry-After``.

Built on django-ratelimit's counters so limits hold across processes; ``rate_limit`` decorates a view
method, ``enforce_rate_limit`` is for limits decided inside a service or a view.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings
from django_ratelimit.core import get_usage

from common.exceptions import RateLimitedError


def _user_or_ip(group: str, request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{request.META.get('REMOTE_ADDR', '')}"


KEYS: dict[str, Callable | str] = {"user_or_ip": _user_or_ip, "ip": "ip"}


def enforce_rate_limit(request, *, group: str, rate: str, key: str | Callable = "user_or_ip") -> None:
    """Count one hit for ``group`` and raise ``RateLimitedError`` once ``rate`` (e.g. ``"10/m"``) is exceeded."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return
    django_request = getattr(request, "_request", request)
    if hasattr(request, "user"):
        django_request.user = request.user
    usage = get_usage(
        django_request, group=group, key=KEYS.get(key, key) if isinstance(key, str) else key, rate=rate, increment=True
    )
    if usage and usage["should_limit"]:
        raise RateLimitedError(retry_after=usage["time_left"] if usage["time_left"] > 0 else 60)


def rate_limit(*, group: str, rate: str, key: str | Callable = "user_or_ip"):
    """Decorate a DRF view method: ``@rate_limit(group="forum.post", rate="20/h")``."""

    def decorator(method):
        @functools.wraps(method)
        def wrapper(view, request, *args, **kwargs):
            enforce_rate_limit(request, group=group, rate=rate, key=key)
            return method(view, request, *args, **kwargs)

        return wrapper

    return decorator
