"""Rate limits for the API and for the pages that search or chat (API_THROTTLE_ANON / API_THROTTLE_USER).

Counters live in the default cache, which is Redis on the production stack, so a limit
holds across gunicorn workers and hosts. Anonymous callers are counted by client address
(``ops.client_ip``: X-Forwarded-For only from TRUSTED_PROXIES), users by id. A throttled API
request gets 429 with ``Retry-After`` (whole seconds, at least 1) from DRF's exception handler; a
throttled page (``PageThrottleMiddleware``, the URL names in RATE_LIMITED_PAGES) gets the 429 page.
The API and the pages share one budget per caller. If the cache is unreachable the limits fail
open (django-redis ignores errors): availability over strictness.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from .client_ip import client_ip


class _ClientMixin:
    def get_ident(self, request) -> str:
        return client_ip(request)

    def wait(self):
        seconds = super().wait()  # type: ignore[misc]  # a mixin for DRF's throttles
        if seconds is None:
            return 1
        return max(1, math.ceil(seconds))


class ApiAnonThrottle(_ClientMixin, AnonRateThrottle):
    """Per client address, for anonymous callers."""

    scope = "anon"


class ApiUserThrottle(_ClientMixin, UserRateThrottle):
    """Per user for authenticated callers (falls back to the client address for anonymous ones)."""

    scope = "user"


API_THROTTLES = [ApiAnonThrottle, ApiUserThrottle]


def throttle_wait(request) -> int | None:
    """Seconds until ``request`` may go ahead under the shared limits, or None if it may now."""
    waits = [
        throttle.wait() or 1
        for throttle in (cls() for cls in API_THROTTLES)
        if not throttle.allow_request(request, None)  # type: ignore[arg-type]  # no view: pages share the rates
    ]
    return max(1, math.ceil(max(waits))) if waits else None


def too_many_requests(request, retry_after: int) -> HttpResponse:
    message = "Too many requests."
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": f"{message} Expected available in {retry_after} second{'s' if retry_after != 1 else ''}."},
            status=429,
        )
    else:
        body = render_to_string("429.html", {"retry_after": retry_after})
        response = HttpResponse(body, status=429)
    response["Retry-After"] = str(retry_after)
    return response


class PageThrottleMiddleware:
    """Apply the API's rate limits to the HTML views named in RATE_LIMITED_PAGES (search, chat).

    Pages are named by URL name in settings, so ``ops`` imports no app. Runs after authentication
    (``process_view``), so logged-in users are counted per user.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if match is None or match.url_name not in settings.RATE_LIMITED_PAGES:
            return None
        retry_after = throttle_wait(request)
        if retry_after is None:
            return None
        return too_many_requests(request, retry_after)
