"""Rate limits for the search and conversation APIs (API_THROTTLE_ANON / API_THROTTLE_USER).

Counters live in the default cache, which is Redis on the production stack, so a limit
holds across gunicorn workers and hosts. A throttled request gets 429 with ``Retry-After``
(whole seconds, at least 1) from DRF's exception handler. If the cache is unreachable the
limits fail open (django-redis ignores errors): availability over strictness.
"""

from __future__ import annotations

import math

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class _RetryAfterMixin:
    def wait(self):
        seconds = super().wait()  # type: ignore[misc]  # a mixin for DRF's throttles
        if seconds is None:
            return 1
        return max(1, math.ceil(seconds))


class ApiAnonThrottle(_RetryAfterMixin, AnonRateThrottle):
    """Per client IP, for anonymous callers (IP from REMOTE_ADDR, or X-Forwarded-For with API_NUM_PROXIES)."""

    scope = "anon"


class ApiUserThrottle(_RetryAfterMixin, UserRateThrottle):
    """Per user for authenticated callers (falls back to IP for anonymous ones)."""

    scope = "user"


API_THROTTLES = [ApiAnonThrottle, ApiUserThrottle]
