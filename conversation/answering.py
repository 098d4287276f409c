"""Grounded answers: composed by the provider chain or the built-in responder, stored once per message.

``answer_generate`` runs in a Celery task (``conversation.tasks``), queued when a turn is stored,
and publishes the summary chunk by chunk as it is written (``conversation.streaming``) for the
SSE views; ``answer_wait`` lets the API wait for it; ``ai_search`` is the one-shot search-and-answer.

Streaming has one path. With a writer (``answer_generate``) and a provider configured, the model's
reply is streamed: ``llm_stream_opener`` wraps ``llm.stream`` (the provider chain's streamed call:
retries before the first delta, deadline, circuit breaker, answer cache) as a ``ModelStream``,
the plug-in point for a model's raw deltas. ``_answer_streamed`` pulls the summary out of the JSON
reply as it arrives (``streaming.grounded_sentences``) and publishes each grounded sentence once it
ends; the whole reply then goes through ``grounding.answer_from_model`` for the stored answer, so a
streamed answer and a non-streamed one are grounded and picked the same way. A stream that breaks
or outlives the deadline is closed and the chain is asked (``llm.complete``) in the time left, then
the built-in responder; when no provider started streaming at all the chain has been tried already
and the built-in answer follows at once. The published sentences are a preview: the stored answer
(written once, by a conditional update) is what the final event shows.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from activity.services import Owner, search_history_record
from search.services import search

from . import llm, metrics, selectors
from .grounding import _sentences, answer_from_model, prompt_build
from .llm import LLMRequest
from .models import Message
from .responder import Answer, builtin_answer, results_are_weak
from .streaming import StreamWriter, grounded_sentences

logger = logging.getLogger(__name__)

# Seconds past the provider deadline before a pending answer counts as lost (worker down or
# swamped): readers then store the built-in answer themselves.
ANSWER_GRACE_SECONDS = 5


class ModelStream:
    """A model's reply as it is generated: ``deltas`` yields raw output text (the JSON the prompt
    asks for, or plain text); ``provider`` labels the stored answer ("openai:gpt-4o-mini").

    ``provider`` is read only once ``deltas`` is exhausted: a provider chain knows who answered
    only after the stream started, so it may be given as a callable returning the label.
    """

    def __init__(self, *, provider: str | Callable[[], str], deltas: Iterable[str]):
        self._provider = provider
        self.deltas = deltas

    @property
    def provider(self) -> str:
        return self._provider() if callable(self._provider) else self._provider


# Opens a streamed completion for a prompt, or returns None when no provider can stream.
ModelStreamOpener = Callable[[LLMRequest], ModelStream | None]


class ModelStreamExhausted(Exception):
    """No provider started streaming: the chain was tried already, the built-in answer follows."""


def llm_stream_opener(
    request: LLMRequest, *, accept: Callable[[str], object] | None = None, deadline_seconds: float | None = None
) -> ModelStream | None:
    """The provider chain's streamed completion (``llm.stream``) as a ``ModelStream``; None with no provider.

    The deltas raise once the stream ends unless it completed: ``ModelStreamExhausted`` when no
    provider started, ``ConnectionError`` when one was cut off mid-answer or passed the deadline
    (a truncated JSON reply must not become the stored answer). ``accept`` decides caching.
    """
    if not llm.providers_configured():
        return None
    text_stream = llm.stream(request, deadline_seconds=deadline_seconds, accept=accept)

    def deltas() -> Iterator[str]:
        relay = iter(text_stream)
        try:
            yield from relay
        finally:
            close = getattr(relay, "close", None)
            if close is not None:
                close()  # closed early (deadline, error): the provider's connection goes now
        if text_stream.status == "exhausted":
            raise ModelStreamExhausted
        if text_stream.status != "ok":
            raise ConnectionError(f"the model stream ended {text_stream.status}")

    return ModelStream(provider=lambda: f"{text_stream.provider}:{text_stream.model}", deltas=deltas())


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
    writer: StreamWriter | None = None,
    model_stream: ModelStreamOpener | None = None,
) -> Answer:
    """A grounded answer from the provider chain, or the built-in responder. Never raises.

    With ``writer``, the summary is published as it is written: sentence by sentence from the
    model's stream (``model_stream``, by default ``llm_stream_opener`` when a provider is
    configured), else the finished summary in sentence chunks. Without a writer nobody is
    listening, and the chain answers in one call (``llm.complete``).
    """
    answer = _compose(
        query=query,
        results=results,
        total=total,
        context=context,
        deadline_seconds=deadline_seconds,
        writer=writer,
        model_stream=model_stream,
    )
    if writer is not None and not writer.chunks:
        writer.write_sentences(_sentences(answer.summary))
    return answer


def _compose(*, query, results, total, context, deadline_seconds, writer, model_stream) -> Answer:
    weak = results_are_weak(results)
    chain_configured = bool(results) and bool(llm.providers_configured())
    if chain_configured:
        seconds = settings.LLM_DEADLINE_SECONDS if deadline_seconds is None else deadline_seconds
        deadline_at = time.monotonic() + seconds

        def accept(text: str) -> Answer | None:
            return answer_from_model(text, query=query, results=results, weak=weak, provider="")

        try:
            request = prompt_build(query=query, results=results, context=context, weak=weak)
            if model_stream is None and writer is not None:
                model_stream = functools.partial(llm_stream_opener, accept=accept, deadline_seconds=seconds)
            if model_stream is not None:
                streamed = _answer_streamed(
                    request,
                    model_stream,
                    query=query,
                    results=results,
                    weak=weak,
                    writer=writer,
                    deadline_at=deadline_at,
                )
                if streamed is not None:
                    return streamed
            # The chain gets the time the stream left (the whole answer keeps one deadline).
            completion = llm.complete(request, accept=accept, deadline_seconds=max(0.0, deadline_at - time.monotonic()))
            if completion is not None:
                answer = completion.value
                answer.provider = f"{completion.provider}:{completion.model}"
                return answer
        except ModelStreamExhausted:
            logger.info("no LLM provider started streaming; using the built-in responder")
        except Exception:
            logger.exception("LLM answer failed; using the built-in responder")
        metrics.llm_call(provider="builtin", outcome="fallback")
    return builtin_answer(query=query, results=results, total=total)


def _answer_streamed(
    request: LLMRequest,
    opener: ModelStreamOpener,
    *,
    query,
    results,
    weak,
    writer: StreamWriter | None,
    deadline_at: float,
) -> Answer | None:
    """The answer of a streamed completion, its grounded sentences published as they end.

    None when nothing could be streamed, the stream broke or outlived ``deadline_at`` (a
    ``time.monotonic()`` instant), or nothing grounded was left; the caller then asks the provider
    chain. ``ModelStreamExhausted`` passes through. The whole reply goes through
    ``answer_from_model`` for the stored answer; the opener records its own call metrics.
    """
    stream = None
    try:
        stream = opener(request)
        if stream is None:
            return None
        raw: list[str] = []

        def collected():
            for delta in stream.deltas:
                if time.monotonic() > deadline_at:
                    raise TimeoutError("the streamed answer outlived its deadline")
                raw.append(delta)
                yield delta

        for sentence in grounded_sentences(collected(), results=results):
            if writer is not None:
                writer.write_sentences([sentence], paced=False)
        # The label is read after the stream ended: a chain knows who answered only then.
        return answer_from_model("".join(raw), query=query, results=results, weak=weak, provider=stream.provider)
    except ModelStreamExhausted:
        raise
    except Exception:
        logger.exception("streamed LLM answer failed; asking the provider chain")
        return None
    finally:
        close = getattr(stream.deltas, "close", None) if stream is not None else None
        if close is not None:
            close()  # a generator holding the provider's connection lets it go now


def answer_is_overdue(message: Message, *, now=None) -> bool:
    """A pending answer that no worker wrote in time (the readers then store the built-in one)."""
    patience = max(settings.ANSWER_WAIT_SECONDS, settings.LLM_DEADLINE_SECONDS) + ANSWER_GRACE_SECONDS
    return ((now or timezone.now()) - message.created_at).total_seconds() > patience


def _answer_store(*, message_id: int, answer: Answer) -> bool:
    """Write the answer unless one is already there: a retried task cannot post twice."""
    updated = Message.objects.filter(pk=message_id, answer_status=Message.AnswerStatus.PENDING).update(
        answer=answer.to_text(),
        answer_data=answer.to_dict(),
        answer_provider=answer.provider[:64],
        answer_status=Message.AnswerStatus.READY,
    )
    return updated == 1


def answer_generate(
    *,
    message_id: int,
    deadline_seconds: float | None = None,
    model_stream: ModelStreamOpener | None = None,
    pace_seconds: float = 0.0,
) -> bool:
    """Generate and store the grounded answer for a pending assistant message (idempotent).

    The summary is published to the message's stream log as it is written (``pace_seconds``
    between chunks of an instant writer); the log is closed once the answer is stored.
    """
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
    writer = StreamWriter(message_id=message_id, pace_seconds=pace_seconds)
    try:
        # Earlier requests only: the last user message before this answer is the request itself.
        context = selectors.conversation_context(conversation=message.conversation, before_id=message.id)[:-1]
        answer = answer_compose(
            query=query,
            results=results,
            total=search.get("total"),
            context=context,
            deadline_seconds=deadline_seconds,
            writer=writer,
            model_stream=model_stream,
        )
    except Exception:
        logger.exception("answer for message %s failed; using the built-in responder", message_id)
        answer = builtin_answer(query=query, results=results, total=search.get("total"))
    stored = _answer_store(message_id=message_id, answer=answer)
    writer.close()
    return stored


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


def answers_sweep(*, older_than_seconds: float | None = None) -> int:
    """Answer with the built-in responder every turn still pending after ``older_than_seconds``
    (default ANSWER_SWEEP_AFTER_SECONDS): a task lost with a dead worker or a broker outage."""
    age = settings.ANSWER_SWEEP_AFTER_SECONDS if older_than_seconds is None else older_than_seconds
    cutoff = timezone.now() - timedelta(seconds=age)
    pending = Message.objects.filter(answer_status=Message.AnswerStatus.PENDING, created_at__lt=cutoff)
    stale = list(pending.values_list("id", flat=True)[:500])
    answered = sum(1 for message_id in stale if answer_fallback(message_id=message_id))
    if answered:
        logger.warning("answered %d turns left pending for over %ss", answered, age)
        metrics.answer_dispatch(how="swept", count=answered)
    return answered


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
