"""Polite error pages: never a stack trace."""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

DATABASE_RETRY_AFTER_SECONDS = 2


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception=None):
    """Django's own 400s (a disallowed host, too many fields, an oversized form): small, never a trace."""
    if _wants_json(request):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return render(request, "400.html", {"status": 400}, status=400)


def page_not_found(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def is_database_unavailable(exception) -> bool:
    """A lost or refused database connection (not a bad query: those are ProgrammingError/DataError)."""
    return isinstance(exception, OperationalError | InterfaceError)


def database_unavailable(request, exception=None):
    """503 + Retry-After for a request whose database connection failed; logged as a warning."""
    logger.warning("database unavailable during %s %s: %s", request.method, request.path, exception or sys.exc_info()[1])
    response: HttpResponse
    if _wants_json(request):
        response = JsonResponse(
            {"detail": "The database is briefly unavailable. Please retry in a moment."}, status=503
        )
    else:
        # No context processors: they may query the database that just failed.
        response = HttpResponse(render_to_string("503.html", {"retry_after": DATABASE_RETRY_AFTER_SECONDS}), status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response


def server_error(request):
    if is_database_unavailable(sys.exc_info()[1]):  # raised outside a view (a middleware's query)
        return database_unavailable(request)
    if _wants_json(request):
        return JsonResponse({"detail": "Something went wrong on our side. Please try again."}, status=500)
    return render(request, "500.html", status=500)
