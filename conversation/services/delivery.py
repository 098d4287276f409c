"""A stored turn's result, its replay for a retried request, and getting its answer written.

- ``TurnResult``: what a turn returns to the page and the API.
- ``turn_replay``: a client that retries a turn with the same ``request_id`` (a network error, a
  double submit) gets the turn it already made, never a second copy of it.
- ``answer_dispatch``: queue the answer task once the turn is committed. The publish is tried once,
  without Celery's connection retries (which held a request for ~18 s while Redis was down); if the
  broker cannot take it, the built-in responder writes the answer in-process at once, so no answer
  waits on a task that was never queued. ``conversation.answering.answers_sweep`` (beat) answers any
  turn still pending past ``ANSWER_SWEEP_AFTER_SECONDS`` (a worker that died with the task, a lost message).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.cache import cache

from conversation import metrics
from conversation.answering import answer_fallback
from conversation.models import Conversation, Message
from conversation.state import SearchState
from conversation.tasks import answer_generate_task

logger = logging.getLogger(__name__)


@dataclass
class TurnResult:
    conversation: Conversation
    intent: str
    reply: str
    results: list[dict]
    message: Message
    changes: list[str] = field(default_factory=list)
    search: dict = field(default_factory=dict)
    search_state: dict = field(default_factory=dict)
    references: dict = field(default_factory=dict)
    table: dict | None = None

    @property
    def answer_status(self) -> str:
        return self.message.answer_status


REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")  # as the API's ``request_id`` field


def request_id_new() -> str:
    """A fresh client request id for a form that sends a turn (the chat page renders one per turn)."""
    return uuid.uuid4().hex


def request_id_clean(value) -> str:
    """A form's ``request_id`` when well-formed, else "" (the turn is then simply not deduplicated)."""
    return value if isinstance(value, str) and REQUEST_ID.match(value) else ""


REQUEST_CLAIM_SECONDS = 30  # the claim outlives any turn; a crashed holder frees it by then
REQUEST_CLAIM_WAIT_SECONDS = 10


@contextmanager
def request_claim(*, request_id: str, user, session_key: str | None) -> Iterator[None]:
    """Hold the caller's ``request_id`` while its turn is stored, so the same request sent twice at once
    (a double submit, a client retrying before the first answer) runs one after the other: the second then
    finds the turn (and the conversation) the first made and replays it. Without a shared cache (Redis down)
    nothing waits; the per-conversation unique request id still stops a duplicate in an existing chat."""
    if not request_id:
        yield
        return
    owner = f"u{user.pk}" if user is not None and user.is_authenticated else f"s{session_key}"
    key = f"conversation:request-claim:{owner}:{request_id}"
    deadline = time.monotonic() + REQUEST_CLAIM_WAIT_SECONDS
    # cache.add is atomic on Redis; None (an unreachable cache, errors ignored) counts as claimed.
    while cache.add(key, "1", timeout=REQUEST_CLAIM_SECONDS) is False and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield
    finally:
        cache.delete(key)


def turn_replay(*, conversation: Conversation, request_id: str) -> TurnResult | None:
    """The turn ``request_id`` already made in ``conversation`` (its assistant message), or None."""
    if not request_id:
        return None
    asked = conversation.messages.filter(role=Message.Role.USER, request_id=request_id).first()
    if asked is None:
        return None
    answer = (
        conversation.messages.filter(role=Message.Role.ASSISTANT, id__gt=asked.id).order_by("id").first()
    )
    if answer is None:  # the user message without its reply cannot be stored (one transaction)
        return None
    state = SearchState.from_dict(conversation.state)
    return TurnResult(
        conversation=conversation,
        intent=answer.intent,
        reply=answer.content,
        results=answer.search.get("results", []),
        message=answer,
        search=answer.search,
        search_state=state.public(),
        references=state.references(),
        table=(answer.answer_data or {}).get("table"),
    )


def answer_dispatch(message_id: int) -> None:
    """Queue the answer of ``message_id`` (call on commit); answer it here if the broker is down."""
    try:
        # No result is read back (the answer is stored on the message), so no result-backend subscription.
        answer_generate_task.apply_async((message_id,), retry=False, ignore_result=True)
        return
    except Exception as exc:  # broker unreachable (kombu/redis errors): answer now rather than never
        logger.warning("answer task for message %s not queued (%s); built-in answer in-process", message_id, exc)
        metrics.answer_dispatch(how="inline")
    try:
        answer_fallback(message_id=message_id)
    except Exception:  # the database too: the sweep or the next read will answer it
        logger.exception("in-process answer for message %s failed", message_id)
