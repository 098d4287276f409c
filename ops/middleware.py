from __future__ import annotations

import re
import uuid

from .logging import request_id_var, sensitive_values_add, sensitive_values_var
from .views import database_unavailable, is_database_unavailable

_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Take X-Request-ID from a trusted proxy when well-formed, else make one; echo it back.

    Also registers the request's credential (the Authorization header's value) with the log
    redaction filter for as long as the request runs. It never reads the body: the body's secrets
    (passwords, message text) are registered by ``ops.input_guard`` once it has checked them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        secrets_token = sensitive_values_var.set(())
        try:
            auth = request.headers.get("Authorization", "")
            if " " in auth and "\x00" not in auth:
                sensitive_values_add([auth.split(" ", 1)[1].strip()])
            response = self.get_response(request)
        finally:
            sensitive_values_var.reset(secrets_token)
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class DatabaseUnavailableMiddleware:
    """A request whose database connection broke (the server restarted or dropped it, a failover) answers
    503 with Retry-After instead of a 500 page: the next request opens a fresh connection (CONN_HEALTH_CHECKS
    replaces a dead persistent one before use), so a client that retries succeeds."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return database_unavailable(request, exception) if is_database_unavailable(exception) else None
