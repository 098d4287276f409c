"""Request ids on every log line of a request (and of the Celery tasks it queues), and redaction.

- ``RequestIdFilter`` stamps ``record.request_id`` from a context variable that
  ``RequestIdMiddleware`` sets for the duration of a request; ``connect_celery_signals`` carries
  it to Celery tasks in a message header (``before_task_publish``) and restores it in the worker
  (``task_prerun``), so a task's lines carry the id of the request that queued it.
- ``RedactFilter`` removes secrets from log records before any handler formats them: values of
  sensitive keys (password=, token=, api_key=, Authorization: Bearer/Token ...), well-known key
  shapes (sk-...), sensitive ``extra`` fields, and the literal values the middleware registered
  for the current request (submitted passwords, the API token, a user's message text).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
from urllib.parse import quote, quote_plus

from celery import signals

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# Literal strings that must not appear in any log line of the current request.
sensitive_values_var: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("sensitive_values", default=())

REDACTED = "[REDACTED]"


def sensitive_values_add(values) -> None:
    """Register more literal secrets for the rest of the current request (after its input was checked)."""
    variants = set(sensitive_values_var.get())
    for value in values:
        if value and len(value) >= 4:
            # as typed, and as it appears in a raw form body, a URL or a JSON document
            try:
                variants.update({value, quote_plus(value), quote(value), json.dumps(value)[1:-1]})
            except UnicodeEncodeError:  # not encodable text (unchecked input): redact it as it is
                variants.add(value)
    sensitive_values_var.set(tuple(sorted(variants, key=len, reverse=True)))
REQUEST_ID_HEADER = "request_id"

SENSITIVE_KEYS = (
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "authorization",
    "cookie",
    "sessionid",
    "csrfmiddlewaretoken",
    "access_key",
    "private_key",
)
_KEY_ALT = "|".join(re.escape(k) for k in SENSITIVE_KEYS)
_PATTERNS = [
    # Authorization: Bearer xyz / Token xyz / Basic xyz
    re.compile(r"(?i)\b(Bearer|Token|Basic)\s+[A-Za-z0-9._~+/=-]{8,}"),
    # key=value, key: value, "key": "value" (JSON, query strings, form bodies, repr of dicts)
    re.compile(
        rf"(?i)([\"']?[\w-]*(?:{_KEY_ALT})[\w-]*[\"']?\s*[:=]\s*)(?!\[REDACTED\])(?:\"[^\"]*\"|'[^']*'|[^\s&,;}}\]\"']+)",
    ),
    # Provider API keys and similar high-entropy prefixes
    re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_-]{12,}\b"),
]


def redact(text: str, extra_values: tuple[str, ...] = ()) -> str:
    """``text`` with secrets replaced by ``[REDACTED]``."""
    if not text:
        return text
    for value in extra_values:
        if value and len(value) >= 4 and value in text:
            text = text.replace(value, REDACTED)
    text = _PATTERNS[0].sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _PATTERNS[1].sub(lambda m: f"{m.group(1)}{REDACTED}", text)
    text = _PATTERNS[2].sub(REDACTED, text)
    return text


def _is_sensitive_key(key: str) -> bool:
    lowered = key.lower()
    return any(k in lowered for k in SENSITIVE_KEYS)


_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "request_id"}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class RedactFilter(logging.Filter):
    """Scrub the message, the traceback and ``extra`` fields of every record (attach to handlers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        values = sensitive_values_var.get()
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw template
            message = str(record.msg)
        cleaned = redact(message, values)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, values)
            # Formatters re-render exc_info when present; the redacted text is what they must use.
            record.exc_info = None
        for key, value in list(vars(record).items()):
            if key in _STANDARD_ATTRS:
                continue
            if _is_sensitive_key(key):
                setattr(record, key, REDACTED)
            elif isinstance(value, str):
                setattr(record, key, redact(value, values))
        return True


def connect_celery_signals() -> None:
    """Carry the request id from the publishing process into the task (called from celery.py)."""
    tokens: dict[str, contextvars.Token] = {}

    @signals.before_task_publish.connect(weak=False)
    def _publish(headers=None, **kwargs):
        if headers is not None and REQUEST_ID_HEADER not in headers:
            request_id = request_id_var.get()
            if request_id != "-":
                headers[REQUEST_ID_HEADER] = request_id

    @signals.task_prerun.connect(weak=False)
    def _prerun(task_id=None, task=None, **kwargs):
        request_id = getattr(getattr(task, "request", None), REQUEST_ID_HEADER, None)
        if request_id and task_id:
            tokens[task_id] = request_id_var.set(str(request_id)[:64])

    @signals.task_postrun.connect(weak=False)
    def _postrun(task_id=None, **kwargs):
        token = tokens.pop(task_id, None) if task_id else None
        if token is not None:
            try:
                request_id_var.reset(token)
            except ValueError:  # set in another context (eager tasks nested in a request)
                request_id_var.set("-")
