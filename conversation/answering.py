"""Grounded answers: composed by the provider chain or the built-in responder, stored once per message.

``answer_generate`` runs in a Celery task (``conversation.tasks``), queued when a turn is stored;
``answer_wait`` lets the API wait for it; ``ai_search`` is the one-shot search-and-answer.

Streaming: ``answer_stream(query=..., results=...)`` returns an ``AnswerStream``; iterate it for the
summary as it is written (``str`` chunks: whole grounded sentences, each but the first starting with
a space), then read ``.answer`` (the final ``Answer``, picks included). The chain's first provider
streams; sentences that name anything outside the results are dropped before they are yielded; with
no provider, nothing grounded, or the chain failing before a grounded sentence, the built-in
summary is yielded in one chunk, so the stream never ends empty. If a provider fails mid-answer the
sentences already sent stand as the answer. ``answer_stream_for_message(message_id=...)`` does the
same for a pending assistant message and stores the answer at the end (once, like the task).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from activity.services import Owner, search_history_record
from search.services import search

from . import llm, metrics, selectors
from .grounding import SentenceGrounder, answer_from_model, answer_from_sentences, prompt_build
from .models import Message
from .responder import Answer, builtin_answer, results_are_weak

logger = logging.getLogger(__name__)


def jsonable(value):
    """Search hits may carry dates; store them the way the API renders them."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def answer_compose(
    *,
    query: str,
    results: list[dict],
    total: int | None = None,
    context: list[str] | None = None,
    deadline_seconds=None,
) -> Answer:
    """A grounded answer from the provider chain, or the built-in responder. Never raises."""
    weak = results_are_weak(results)
    chain_configured = bool(results) and bool(llm.providers_configured())
    if chain_configured:
        try:
            request = prompt_build(query=query, results=results, context=context, weak=weak)
            completion = llm.complete(
                request,
                accept=lambda text: answer_from_model(text, query=query, results=results, weak=weak, provider=""),
                deadline_seconds=deadline_seconds,
            )
            if completion is not None:
                answer = completion.value
                answer.provider = f"{completion.provider}:{completion.model}"
                return answer
        except Exception:
            logger.exception("LLM answer failed; using the built-in responder")
        metrics.llm_call(provider="builtin", outcome="fallback")
    return builtin_answer(query=query, results=results, total=total)


def _answer_store(*, message_id: int, answer: Answer) -> bool:
    """Write the answer unless one is already there: a retried task cannot post twice."""
    updated = Message.objects.filter(pk=message_id, answer_status=Message.AnswerStatus.PENDING).update(
        answer=answer.to_text(),
        answer_data=answer.to_dict(),
        answer_provider=answer.provider[:64],
        answer_status=Message.AnswerStatus.READY,
    )
    return updated == 1


def answer_generate(*, message_id: int, deadline_seconds: float | None = None) -> bool:
    """Generate and store the grounded answer for a pending assistant message (idempotent)."""
    message = (
        Message.objects.select_related("conversation")
        .filter(pk=message_id, role=Message.Role.ASSISTANT, answer_status=Message.AnswerStatus.PENDING)
        .first()
    )
    if message is None:
        logger.info("answer for message %s: nothing pending", message_id)
        return False
    search = message.search or {}
    query, results = search.get("query") or message.content, search.get("results") or []
    try:
        # Earlier requests only: the last user message before this answer is the request itself.
        context = selectors.conversation_context(conversation=message.conversation, before_id=message.id)[:-1]
        answer = answer_compose(
            query=query, results=results, total=search.get("total"), context=context, deadline_seconds=deadline_seconds
        )
    except Exception:
        logger.exception("answer for message %s failed; using the built-in responder", message_id)
        answer = builtin_answer(query=query, results=results, total=search.get("total"))
    return _answer_store(message_id=message_id, answer=answer)


def answer_fallback(*, message_id: int) -> bool:
    """Store the built-in answer for a message whose generated answer did not arrive in time."""
    message = Message.objects.filter(pk=message_id, answer_status=Message.AnswerStatus.PENDING).first()
    if message is None:
        return False
    search = message.search or {}
    answer = builtin_answer(
        query=search.get("query") or message.content, results=search.get("results") or [], total=search.get("total")
    )
    return _answer_store(message_id=message_id, answer=answer)


def answer_wait(*, message: Message, timeout: float) -> Message:
    """Wait up to ``timeout`` seconds for the pending answer, then fall back to the built-in one."""
    deadline = time.monotonic() + timeout
    while message.answer_status == Message.AnswerStatus.PENDING and time.monotonic() < deadline:
        time.sleep(0.05)
        message.refresh_from_db(fields=["answer", "answer_status", "answer_provider", "answer_data"])
    if message.answer_status == Message.AnswerStatus.PENDING:
        answer_fallback(message_id=message.id)
        message.refresh_from_db(fields=["answer", "answer_status", "answer_provider", "answer_data"])
    return message


# --- Streaming ---


class AnswerStream:
    """The grounded summary as it is written; ``answer`` is set once iteration has finished."""

    def __init__(
        self,
        *,
        query: str,
        results: list[dict],
        total: int | None = None,
        context: list[str] | None = None,
        deadline_seconds: float | None = None,
    ):
        self.query, self.results, self.total, self.context = query, results, total, context
        self.deadline_seconds = deadline_seconds
        self.answer: Answer | None = None

    def __iter__(self) -> Iterator[str]:
        weak = results_are_weak(self.results)
        if self.results and llm.providers_configured():
            grounder = SentenceGrounder(self.results)
            try:
                request = prompt_build(
                    query=self.query, results=self.results, context=self.context, weak=weak, streaming=True
                )
                deltas = llm.stream(request, deadline_seconds=self.deadline_seconds)
                sent = 0
                for delta in deltas:
                    for sentence in grounder.feed(delta):
                        yield sentence if sent == 0 else " " + sentence
                        sent += 1
                if deltas.status != "interrupted":  # a cut-off last sentence is not shown
                    for sentence in grounder.finish():
                        yield sentence if sent == 0 else " " + sentence
                        sent += 1
                provider = f"{deltas.provider}:{deltas.model}"
                self.answer = answer_from_sentences(grounder, query=self.query, weak=weak, provider=provider)
            except Exception:
                logger.exception("streamed LLM answer failed; using the built-in responder")
                self.answer = None
            if self.answer is not None:
                return
            metrics.llm_call(provider="builtin", outcome="fallback")
            if grounder.kept:  # an error after grounded sentences went out: they stand
                self.answer = answer_from_sentences(grounder, query=self.query, weak=weak, provider="builtin")
                return
        self.answer = builtin_answer(query=self.query, results=self.results, total=self.total)
        yield self.answer.summary


def answer_stream(
    *,
    query: str,
    results: list[dict],
    total: int | None = None,
    context: list[str] | None = None,
    deadline_seconds: float | None = None,
) -> AnswerStream:
    """The grounded summary for ``results`` as a stream (see the module docstring). Never raises."""
    return AnswerStream(query=query, results=results, total=total, context=context, deadline_seconds=deadline_seconds)


class _StoredAnswerStream(AnswerStream):
    def __init__(self, *, message_id: int, **kwargs):
        super().__init__(**kwargs)
        self.message_id = message_id

    def __iter__(self) -> Iterator[str]:
        yield from super().__iter__()
        if self.answer is not None:
            _answer_store(message_id=self.message_id, answer=self.answer)


def answer_stream_for_message(*, message_id: int, deadline_seconds: float | None = None) -> AnswerStream | None:
    """A stream of the answer of a pending assistant message, stored when it ends; None if none is pending.

    Storing is conditional (like ``answer_generate``), so a concurrent task or a second stream
    cannot post twice; a consumer that stops early stores nothing and the task's answer stands.
    """
    message = (
        Message.objects.select_related("conversation")
        .filter(pk=message_id, role=Message.Role.ASSISTANT, answer_status=Message.AnswerStatus.PENDING)
        .first()
    )
    if message is None:
        return None
    search = message.search or {}
    context = selectors.conversation_context(conversation=message.conversation, before_id=message.id)[:-1]
    return _StoredAnswerStream(
        message_id=message.id,
        query=search.get("query") or message.content,
        results=search.get("results") or [],
        total=search.get("total"),
        context=context,
        deadline_seconds=deadline_seconds,
    )


# --- One-shot AI search ---


@dataclass
class AiSearchResult:
    response: object
    results: list[dict]
    answer: Answer


def ai_search(*, query: str, filters: dict | None, top_k: int, user, session_key: str | None = None) -> AiSearchResult:
    """Results plus a grounded answer, synchronously within ANSWER_WAIT_SECONDS (built-in fallback).

    Raises search.services.SearchValidationError for invalid input.
    """
    response = search(query=query, filters=filters or None, top_k=top_k, user=user)
    results = jsonable([hit.to_dict() for hit in response.results])
    answer = answer_compose(
        query=query, results=results, total=response.total, deadline_seconds=settings.ANSWER_WAIT_SECONDS
    )
    owner = Owner.of(user=user, session_key=session_key)
    if owner.user is not None or owner.session_key:
        search_history_record(owner=owner, query=query, filters=filters or {}, result_count=response.total or 0)
    return AiSearchResult(response=response, results=results, answer=answer)
