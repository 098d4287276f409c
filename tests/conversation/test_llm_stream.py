"""Streaming: the SDKs' streaming APIs against a local server speaking each provider's SSE protocol.

``llm.stream`` yields raw deltas; ``answering.answer_stream`` yields grounded sentences and always
ends with an answer (the provider's, the sentences sent before a failure, or the built-in one).
"""

from __future__ import annotations

import pytest

from conversation import llm
from conversation.answering import answer_stream, answer_stream_for_message
from conversation.grounding import prompt_build
from conversation.models import Conversation, Message
from conversation.responder import builtin_answer

from .llm_server import (
    Scripted,
    anthropic_error_event,
    anthropic_stream,
    error_body,
    openai_stream,
)

# Deltas cut mid-word and mid-sentence, as models send them; the second sentence invents a dataset.
PARTS = [
    "[1] is the most comp",
    "lete record of resale transactions. The “Global Laptop Pr",
    "ice Index 2024” (id 987654) is also good. [2] adds re",
    "nts by town.",
]


def _drain(stream) -> list[str]:
    return list(stream)


@pytest.fixture
def chain(settings, fast_llm):
    settings.LLM_PROVIDERS = ["openai", "anthropic"]
    return settings


def test_raw_openai_stream_yields_deltas_and_speaks_sse(chain, openai_server, anthropic_server, results):
    openai_server.then(Scripted(events=openai_stream(PARTS)))
    deltas = llm.stream(prompt_build(query="hdb", results=results, streaming=True))

    assert _drain(deltas) == PARTS
    assert (deltas.status, deltas.provider, deltas.model) == ("ok", "openai", "test-gpt")
    (request,) = openai_server.requests
    assert request["json"]["stream"] is True
    assert "Reply in plain text" in request["json"]["messages"][0]["content"]
    assert anthropic_server.requests == []


def test_answer_stream_yields_grounded_sentences_only(chain, openai_server, results):
    openai_server.then(Scripted(events=openai_stream(PARTS)))
    stream = answer_stream(query="hdb resale prices", results=results)
    chunks = _drain(stream)

    assert chunks == [
        "“HDB Resale Flat Prices” is the most complete record of resale transactions.",
        " “HDB Rental Prices by Town” adds rents by town.",
    ]
    answer = stream.answer
    assert answer.provider == "openai:test-gpt"
    assert answer.summary == "".join(chunks)
    assert [p["id"] for p in answer.picks] == [101, 102]  # the results it cited, in order


def test_anthropic_stream_speaks_the_messages_event_protocol(settings, fast_llm, anthropic_server, results):
    settings.LLM_PROVIDERS = ["anthropic"]
    anthropic_server.then(Scripted(events=anthropic_stream(PARTS)))
    stream = answer_stream(query="hdb resale prices", results=results)
    chunks = _drain(stream)

    assert len(chunks) == 2 and "Laptop" not in "".join(chunks)
    assert stream.answer.provider == "anthropic:test-claude"
    (request,) = anthropic_server.requests
    assert request["path"] == "/v1/messages"
    assert request["json"]["stream"] is True


def test_failure_before_the_first_delta_is_retried_then_falls_through(chain, openai_server, anthropic_server, results):
    openai_server.then(
        Scripted(status=429, body=error_body("rate_limit_exceeded", "slow"), headers={"Retry-After": "0"}),
    )
    openai_server.default = Scripted(status=500, body=error_body("server_error", "boom"))
    anthropic_server.then(Scripted(events=anthropic_stream(PARTS)))
    stream = answer_stream(query="hdb resale prices", results=results)
    chunks = _drain(stream)

    assert len(openai_server.requests) == 1 + chain.LLM_MAX_RETRIES
    assert stream.answer.provider == "anthropic:test-claude"
    assert chunks[0].startswith("“HDB Resale Flat Prices”")


def test_timeout_before_streaming_falls_back_to_the_builtin_answer(settings, fast_llm, openai_server, results):
    settings.LLM_PROVIDERS = ["openai"]
    settings.LLM_MAX_RETRIES = 0
    settings.LLM_TIMEOUT_SECONDS = 0.2
    openai_server.default = Scripted(events=openai_stream(PARTS), delay=1.0)
    stream = answer_stream(query="hdb resale prices", results=results)
    chunks = _drain(stream)

    builtin = builtin_answer(query="hdb resale prices", results=results)
    assert chunks == [builtin.summary]
    assert stream.answer.provider == "builtin"
    assert llm.circuit_state("openai")["failures"] == 1


def test_connection_lost_mid_stream_keeps_the_sentences_already_sent(chain, openai_server, anthropic_server, results):
    # The first sentence is complete once the second has begun; then the connection drops.
    openai_server.then(Scripted(events=openai_stream(PARTS), cut_after=3))
    raw = llm.stream(prompt_build(query="hdb resale prices", results=results, streaming=True))
    assert "".join(raw) == PARTS[0] + PARTS[1]
    assert raw.status == "interrupted"
    assert llm.circuit_state("openai")["failures"] == 1

    openai_server.then(Scripted(events=openai_stream(PARTS), cut_after=3))
    stream = answer_stream(query="hdb resale prices, again", results=results)
    chunks = _drain(stream)

    assert chunks == ["“HDB Resale Flat Prices” is the most complete record of resale transactions."]
    assert stream.answer.summary == chunks[0]
    assert stream.answer.provider == "openai:test-gpt"
    assert anthropic_server.requests == []  # no provider starts over mid-answer
    assert llm.circuit_state("openai")["failures"] == 2


def test_error_event_before_a_complete_sentence_ends_with_the_builtin_answer(
    settings, fast_llm, anthropic_server, results
):
    settings.LLM_PROVIDERS = ["anthropic"]
    events = anthropic_stream(["[1] is the most comp", "lete record"])
    events.insert(5, anthropic_error_event())  # after the first text delta
    anthropic_server.then(Scripted(events=events))
    stream = answer_stream(query="hdb resale prices", results=results)
    chunks = _drain(stream)

    assert chunks == [builtin_answer(query="hdb resale prices", results=results).summary]
    assert stream.answer.provider == "builtin"
    assert llm.circuit_state("anthropic")["failures"] == 1


def test_the_deadline_ends_a_slow_stream(settings, fast_llm, openai_server, results):
    settings.LLM_PROVIDERS = ["openai"]
    parts = ["[1] has resale prices. ", "[2] has rents. ", "[3] has medians. ", "That is all."]
    openai_server.then(Scripted(events=openai_stream(parts), event_delay=0.3))
    raw = llm.stream(prompt_build(query="hdb", results=results, streaming=True), deadline_seconds=1.0)
    text = "".join(raw)

    assert raw.status == "interrupted"
    assert text.startswith("[1] has resale prices.") and "That is all." not in text


def test_a_complete_stream_is_cached(chain, openai_server, results):
    openai_server.then(Scripted(events=openai_stream(PARTS)))
    first = _drain(answer_stream(query="hdb resale prices", results=results))
    second_stream = answer_stream(query="hdb resale prices", results=results)
    second = _drain(second_stream)

    assert second == first
    assert len(openai_server.requests) == 1
    assert second_stream.answer.provider == "openai:test-gpt"


def test_no_provider_streams_the_builtin_answer(settings, results):
    settings.LLM_PROVIDERS = []
    stream = answer_stream(query="hdb resale prices", results=results)
    assert _drain(stream) == [builtin_answer(query="hdb resale prices", results=results).summary]
    assert stream.answer.provider == "builtin"


@pytest.mark.django_db
def test_streaming_a_pending_message_stores_its_answer_once(settings, fast_llm, openai_server, results):
    settings.LLM_PROVIDERS = ["openai"]
    conversation = Conversation.objects.create(session_key="s1")
    Message.objects.create(conversation=conversation, role=Message.Role.USER, content="hdb resale prices")
    message = Message.objects.create(
        conversation=conversation,
        role=Message.Role.ASSISTANT,
        content="Here are 3 datasets.",
        search={"query": "hdb resale prices", "results": results, "total": 3},
        answer_status=Message.AnswerStatus.PENDING,
    )
    openai_server.then(Scripted(events=openai_stream(PARTS)))
    stream = answer_stream_for_message(message_id=message.id)
    text = "".join(stream)

    message.refresh_from_db()
    assert message.answer_status == Message.AnswerStatus.READY
    assert message.answer_provider == "openai:test-gpt"
    assert message.answer_data["summary"] == text
    assert answer_stream_for_message(message_id=message.id) is None  # nothing pending any more


def test_permanent_401_is_not_retried_and_an_open_circuit_is_skipped(
    settings, fast_llm, openai_server, anthropic_server, results
):
    settings.LLM_PROVIDERS = ["openai", "anthropic"]
    settings.LLM_CIRCUIT_FAILURES = 2
    openai_server.default = Scripted(status=401, body=error_body("invalid_api_key", "bad key"))
    anthropic_server.default = Scripted(events=anthropic_stream(PARTS))

    for n in (1, 2):
        stream = answer_stream(query=f"hdb resale prices {n}", results=results)
        _drain(stream)
        assert stream.answer.provider == "anthropic:test-claude"
        assert len(openai_server.requests) == n  # one attempt each: a bad key is not retried
    assert llm.circuit_state("openai")["state"] == "open"

    stream = answer_stream(query="hdb resale prices 3", results=results)
    _drain(stream)
    assert stream.answer.provider == "anthropic:test-claude"
    assert len(openai_server.requests) == 2  # skipped while the circuit is open
    assert llm.provider_health()["status"] == "degraded"
