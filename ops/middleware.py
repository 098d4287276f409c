from __future__ import annotations

import json
import re
import uuid
from urllib.parse import quote, quote_plus

from .logging import SENSITIVE_KEYS, request_id_var, sensitive_values_var

_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Body fields whose values never belong in logs: credentials, and what users type to the assistant.
_BODY_FIELDS = frozenset(SENSITIVE_KEYS) | {"password1", "password2", "old_password", "new_password1",
                                            "new_password2", "message", "text", "content", "body"}  # fmt: skip
_MAX_SCANNED_BODY = 64 * 1024


def _collect_sensitive(request) -> tuple[str, ...]:
    """Literal values of this request that the log redaction filter must remove wherever they appear."""
    values: list[str] = []
    auth = request.headers.get("Authorization", "")
    if " " in auth:
        values.append(auth.split(" ", 1)[1].strip())
    if request.method in {"POST", "PUT", "PATCH"}:
        content_type = request.content_type or ""
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if 0 < length <= _MAX_SCANNED_BODY:
            try:
                if content_type == "application/x-www-form-urlencoded":
                    for key in _BODY_FIELDS & set(request.POST.keys()):
                        values.extend(request.POST.getlist(key))
                elif content_type == "application/json":
                    data = json.loads(request.body or b"null")
                    if isinstance(data, dict):
                        values.extend(str(data[k]) for k in _BODY_FIELDS & set(data) if isinstance(data[k], str))
            except Exception:  # an unreadable body is the view's problem, not ours
                pass
    variants = set()
    for value in values:
        if value and len(value) >= 4:
            # as typed, and as it appears in a raw form body, a URL or a JSON document
            variants.update({value, quote_plus(value), quote(value), json.dumps(value)[1:-1]})
    return tuple(sorted(variants, key=len, reverse=True))


class RequestIdMiddleware:
    """Take X-Request-ID from a trusted proxy when well-formed, else make one; echo it back.

    Also registers the request's secrets (credentials, token, message text) with the log
    redaction filter for as long as the request runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        secrets_token = sensitive_values_var.set(_collect_sensitive(request))
        try:
            response = self.get_response(request)
        finally:
            sensitive_values_var.reset(secrets_token)
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response
