"""The reader side of a streamed answer: Server-Sent Events for one assistant message.

``answer_events`` tails the chunk log the answer's writer fills (``conversation.streaming``) and
yields SSE text: ``delta`` events (``{"text": chunk}``, ``id`` = chunk index) as chunks appear,
then one ``final`` event once the stored answer is ready, or ``timeout`` after
ANSWER_STREAM_MAX_SECONDS (the page then falls back to polling). A comment line every
ANSWER_STREAM_HEARTBEAT_SECONDS keeps proxies from closing an idle stream and lets the server
notice a client that left. The stream is bounded so a threaded web worker is never held for long.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.http import StreamingHttpResponse

from .answering import answer_fallback, answer_is_overdue
from .models import Message
from .streaming import stream_read

POLL_SECONDS = 0.1  # how often the chunk log is read (one cache GET)
DB_CHECK_SECONDS = 0.5  # how often the message row is re-read for the final answer
RETRY_MS = 3000
_ANSWER_FIELDS = ["answer", "answer_status", "answer_provider", "answer_data"]


def sse(event: str, data: dict, *, event_id: int | None = None) -> str:
    """One SSE message. JSON data never contains a raw newline, so one ``data:`` line suffices."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def last_event_id(raw: str | None) -> int | None:
    """The ``Last-Event-ID`` a reconnecting client sends: the index of the last chunk it has."""
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 6 else None


def answer_events(
    *,
    message: Message,
    final_payload: Callable[[Message], dict],
    after_id: int | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[str]:
    """SSE text for ``message``'s answer. Assumes the caller checked the message is the caller's.

    ``final_payload`` turns the ready message into the ``final`` event's data (the page sends the
    rendered answer, the API the structured one). A pending answer that is overdue gets the
    built-in fallback, as the polling endpoints do, so the stream always ends with an answer.
    """
    sent = 0 if after_id is None else after_id + 1
    started = last_beat = clock()
    next_db_check = started
    yield f"retry: {RETRY_MS}\n\n"
    while True:
        snapshot = stream_read(message_id=message.pk)
        for index in range(sent, len(snapshot.chunks)):
            yield sse("delta", {"text": snapshot.chunks[index]}, event_id=index)
        sent = max(sent, len(snapshot.chunks))
        now = clock()
        if snapshot.done or now >= next_db_check:
            message.refresh_from_db(fields=_ANSWER_FIELDS)
            if message.answer_status == Message.AnswerStatus.PENDING and answer_is_overdue(message):
                answer_fallback(message_id=message.pk)
                message.refresh_from_db(fields=_ANSWER_FIELDS)
            if message.answer_status != Message.AnswerStatus.PENDING:
                yield sse("final", final_payload(message))
                return
            next_db_check = now + DB_CHECK_SECONDS
        if now - started >= settings.ANSWER_STREAM_MAX_SECONDS:
            yield sse("timeout", {"status": "pending"})
            return
        if now - last_beat >= settings.ANSWER_STREAM_HEARTBEAT_SECONDS:
            yield ": keep-alive\n\n"
            last_beat = now
        sleep(POLL_SECONDS)


def event_stream_response(events: Iterator[str]) -> StreamingHttpResponse:
    """An SSE response that no cache or proxy (nginx: X-Accel-Buffering) holds back."""
    response = StreamingHttpResponse(events, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"
    return response
