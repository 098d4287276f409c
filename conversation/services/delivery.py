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
from dataclasses import dataclass, field

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
    table: dict | None = None

    @property
    def answer_status(self) -> str:
        return self.message.answer_status


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
    return TurnResult(
        conversation=conversation,
        intent=answer.intent,
        reply=answer.content,
        results=answer.search.get("results", []),
        message=answer,
        search=answer.search,
        search_state=SearchState.from_dict(conversation.state).public(),
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
