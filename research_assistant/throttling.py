"""Rate limits for the search and conversation APIs (API_THROTTLE_ANON / API_THROTTLE_USER).

Counters live in the default cache, which is Redis on the production stack, so a limit
holds across gunicorn workers and hosts.
"""

from __future__ import annotations

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class ApiAnonThrottle(AnonRateThrottle):
    """Per client IP, for anonymous callers."""

    scope = "anon"


class ApiUserThrottle(UserRateThrottle):
    """Per user for authenticated callers (falls back to IP for anonymous ones)."""

    scope = "user"


API_THROTTLES = [ApiAnonThrottle, ApiUserThrottle]
