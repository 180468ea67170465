"""Rate limits on the shared cache (Redis in production), answered with 429 and ``Retry-After``.

Built on django-ratelimit's counters so limits hold across processes; ``rate_limit`` decorates a view
method, ``enforce_rate_limit`` is for limits decided inside a service or a view. ``attempt_begin`` counts
attempts that may turn out to succeed (a sign-in): the attempt is counted up front and a success gives its
slot back, so only failures add up.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
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


logger = logging.getLogger(__name__)

_RATE = re.compile(r"^(?P<count>\d+)/(?P<multiplier>\d*)(?P<unit>[smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"10/5m"`` -> ``(10, 300)``: django-ratelimit's rate syntax."""
    match = _RATE.match(rate)
    if match is None:
        raise ValueError(f"Not a rate: {rate!r} (expected e.g. '10/m' or '10/5m').")
    return int(match["count"]), _UNIT_SECONDS[match["unit"]] * int(match["multiplier"] or 1)


@dataclass(frozen=True)
class Attempt:
    """One attempt counted against an ``attempt_begin`` limit."""

    cache_key: str | None

    def succeeded(self) -> None:
        """The attempt did not fail: it no longer counts against the limit."""
        if self.cache_key is None:
            return
        try:
            caches[settings.RATELIMIT_USE_CACHE].decr(self.cache_key)
        except ValueError:
            pass  # the window ended (the counter expired) in the meantime: nothing left to give back
        except Exception:  # the cache is down; the counter is lost anyway
            logger.warning("Could not release a rate-limited attempt", exc_info=True)


def attempt_window_end(*, period: int, now: float) -> int:
    """When the fixed window ``now`` falls in ends: the next multiple of ``period`` seconds since the epoch."""
    return (int(now) // period + 1) * period


def attempt_begin(*, group: str, key: str, rate: str) -> Attempt:
    """Count one attempt for ``key`` and raise ``RateLimitedError`` once more than ``rate`` are counted.

    The attempt is counted before it is made, so parallel guesses cannot all pass the check before any of
    them is counted; call ``Attempt.succeeded()`` when it did not fail. Windows are fixed (``"10/5m"``: at
    most 10 failures in each 5-minute window), like django-ratelimit's.
    """
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return Attempt(None)
    limit, period = parse_rate(rate)
    now = time.time()
    window_end = attempt_window_end(period=period, now=now)
    digest = hashlib.sha256(f"{group}:{key}".encode()).hexdigest()
    cache_key = f"rl:attempts:{group}:{digest}:{window_end}"
    cache = caches[settings.RATELIMIT_USE_CACHE]
    try:
        cache.add(cache_key, 0, timeout=period + 5)
        count = cache.incr(cache_key)
    except Exception:  # the counter is unreachable (Redis down, or the key vanished)
        count = None
    if count is None:
        if getattr(settings, "RATELIMIT_FAIL_OPEN", False):
            return Attempt(None)
        raise RateLimitedError(retry_after=period)
    if count > limit:
        Attempt(cache_key).succeeded()  # a refused attempt is not made, so it is no failure either
        raise RateLimitedError(retry_after=math.ceil(window_end - now))
    return Attempt(cache_key)
