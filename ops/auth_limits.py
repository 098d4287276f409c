"""Failed-login limits (django-axes): the response a locked-out client gets.

Axes counts failures per account and per client address (``AXES_LOCKOUT_PARAMETERS``) on every
``authenticate()`` call that passes the request: the HTML login form, the admin login and
``POST /api/auth/token``. After AXES_FAILURE_LIMIT failures the account or address is refused,
even with the right password, until AXES_COOLOFF_TIME has passed since the last failure.
"""

from __future__ import annotations

import math

from axes.helpers import get_cool_off
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    cool_off = get_cool_off(request)
    seconds = max(1, math.ceil(cool_off.total_seconds())) if cool_off else None
    minutes = math.ceil(seconds / 60) if seconds else None
    message = "Too many failed login attempts for this account or from this address."
    if minutes:
        message += f" Try again in {minutes} minute{'s' if minutes != 1 else ''}."
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message}, status=429)
    else:
        response = HttpResponse(render_to_string("429.html", {"message": message}), status=429)
    if seconds:
        response["Retry-After"] = str(seconds)
    return response


AXES_USERNAME_MAX = 255  # axes stores the username of each failure in a 255-character column


def client_username(request, credentials=None) -> str | None:
    """The username a login attempt is counted under (``AXES_USERNAME_CALLABLE``): axes' own rule
    (the credentials, else the posted form), cut to the column so an over-long name cannot fail the
    write; two names that share their first 255 characters share a count, which only limits more."""
    if credentials:
        username = credentials.get("username")
    else:
        username = request.POST.get("username") if request is not None else None
    return username[:AXES_USERNAME_MAX] if isinstance(username, str) else username
