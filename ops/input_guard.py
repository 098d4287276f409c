"""Input checks at the edge, before any view, service or database sees a request.

- ``InputGuardMiddleware``: query parameters, urlencoded form fields and header values with a NUL
  byte are refused with 400 naming the field (PostgreSQL cannot store NUL, and no field of ours
  needs it); a form body over DATA_UPLOAD_MAX_MEMORY_SIZE gets 413. Only after these checks does it
  register the form's secrets with the log redaction filter.
- ``StrictJSONParser`` (DRF): a body over API_MAX_BODY_BYTES is 413; it must be UTF-8 JSON nested
  at most API_MAX_JSON_DEPTH deep (Python's parser would recurse until RecursionError), and a JSON
  object; no string in it (keys included) may hold a NUL byte or a lone surrogate (which cannot be
  encoded as UTF-8 and breaks logging, hashing and the database). Each error names the field.
- ``StrictFormParser`` / ``StrictMultiPartParser``: the same string checks for the API's form bodies.

Errors are DRF exceptions, so ``ops.api.exception_handler`` renders them as JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from rest_framework import exceptions, parsers, status
from rest_framework.utils import json as drf_json

from .logging import sensitive_values_add

# Body fields whose values never belong in logs: credentials, and what users type to the assistant.
SENSITIVE_FIELDS = frozenset(
    {"password", "password1", "password2", "old_password", "new_password1", "new_password2", "token",
     "secret", "api_key", "message", "text", "content", "body"}
)  # fmt: skip
_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKETS = re.compile(r"[\[\]{}]")


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be accepted as text, or None."""
    if "\x00" in value:
        return "Contains a NUL byte (\\u0000), which is not allowed."
    if _SURROGATE.search(value):
        return "Contains a lone surrogate (an invalid Unicode character), which is not allowed."
    return None


def _walk(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            yield path, problem
    elif isinstance(value, dict):
        for key, item in value.items():
            key_problem = text_problem(key) if isinstance(key, str) else None
            if key_problem:
                yield path or "non_field_errors", f"A field name: {key_problem[0].lower()}{key_problem[1:]}"
                continue
            yield from _walk(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]" if path else f"[{index}]")


def data_problems(data: Any) -> dict[str, list[str]]:
    """Field (top-level name) -> messages for every string in ``data`` that has a NUL or lone surrogate.

    The top-level name is the key so that clients find it where DRF puts field errors; the message
    says where inside the value the problem is when it is nested.
    """
    problems: dict[str, list[str]] = {}
    for path, problem in _walk(data, ""):
        top = re.split(r"[.\[]", path, maxsplit=1)[0] or "non_field_errors"
        message = problem if path == top else f"{path}: {problem}"
        problems.setdefault(_printable(top), []).append(message)
    return problems


def _printable(name: str) -> str:
    """A field name safe to echo back in an error (it may itself hold what we refuse)."""
    return _SURROGATE.sub("\ufffd", name.replace("\x00", "\\u0000"))


def json_depth_exceeds(text: str, limit: int) -> bool:
    """True when ``text`` (JSON) nests arrays/objects deeper than ``limit``; strings are skipped."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for bracket in _BRACKETS.findall(_JSON_STRING.sub('""', text)):
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _register_secrets(data: dict) -> None:
    values = [str(data[k]) for k in SENSITIVE_FIELDS & set(data) if isinstance(data[k], str)]
    if values:
        sensitive_values_add(values)


class StrictJSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(f"The request body is larger than {limit:,} bytes.")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise exceptions.ParseError(f"The request body is not UTF-8 (byte {exc.start}).") from None
        if json_depth_exceeds(text, settings.API_MAX_JSON_DEPTH):
            raise exceptions.ParseError(f"The JSON body is nested more than {settings.API_MAX_JSON_DEPTH} levels deep.")
        try:
            data = json.loads(text, parse_constant=drf_json.strict_constant if self.strict else None)
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
        except RecursionError:  # belt and braces: the depth check should have caught it
            raise exceptions.ParseError("The JSON body is nested too deeply.") from None
        if not isinstance(data, dict):
            raise exceptions.ParseError(
                f"The request body must be a JSON object with the documented fields, not {_json_type(data)}."
            )
        problems = data_problems(data)
        if problems:
            raise exceptions.ValidationError(problems)
        _register_secrets(data)
        return data


def _json_type(data: Any) -> str:
    if data is None:
        return "null"
    if isinstance(data, bool):
        return "a boolean"
    if isinstance(data, int | float):
        return "a number"
    if isinstance(data, str):
        return "a string"
    return "an array"


def _fields(query_dict) -> dict[str, Any]:
    """A QueryDict as field -> value (a list only when the field is repeated), for ``data_problems``."""
    return {key: values[0] if len(values) == 1 else values for key, values in query_dict.lists()}


class StrictFormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        problems = data_problems(_fields(data))
        if problems:
            raise exceptions.ValidationError(problems)
        return data


class StrictMultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        problems = data_problems(_fields(result.data))
        if problems:
            raise exceptions.ValidationError(problems)
        return result


# --- The middleware ----------------------------------------------------------------------------


def _refuse(request, errors: dict[str, list[str]], status_code: int = 400) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(errors, status=status_code)
    lines = [f"“{field}”: {message}" for field, messages in errors.items() for message in messages]
    body = render_to_string("400.html", {"errors": lines, "status": status_code}, request=None)
    return HttpResponse(body, status=status_code)


class InputGuardMiddleware:
    """Refuse NUL bytes in query parameters, form fields and headers (400 naming them)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for key, value in request.META.items():
            if key.startswith("HTTP_") and isinstance(value, str) and "\x00" in value:
                header = key[5:].replace("_", "-").title()
                return _refuse(request, {header: ["This header contains a NUL byte, which is not allowed."]})
        problems = data_problems(_fields(request.GET))
        if problems:
            return _refuse(request, problems)
        if request.method in {"POST", "PUT", "PATCH", "DELETE"} and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            try:
                form = _fields(request.POST)
            except RequestDataTooBig:
                return _refuse(request, {"body": ["The form is too large."]}, status_code=413)
            problems = data_problems(form)
            if problems:
                return _refuse(request, problems)
            _register_secrets({key: v[-1] if isinstance(v, list) else v for key, v in form.items() if v})
        return self.get_response(request)
