"""The streamed answer end to end: the official SDKs against a local server speaking each provider's SSE.

One path: ``answer_generate`` opens ``llm.stream`` (through ``answering.llm_stream_opener``) when a
provider is configured, publishes each grounded summary sentence to the message's stream log
(``StreamWriter``) as soon as it ends, and stores the answer once. A stream that breaks or outlives
the deadline falls back to the provider chain, then to the built-in responder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings

from conversation import llm
from conversation.answering import answer_generate
from conversation.grounding import prompt_build
from conversation.models import Message
from conversation.responder import builtin_answer
from conversation.streaming import stream_read
from tests.conversation.conftest import pending_answer

from .llm_server import (
    Scripted,
    anthropic_body,
    anthropic_error_event,
    anthropic_stream,
    error_body,
    openai_body,
    openai_stream,
)

pytestmark = pytest.mark.django_db

# The JSON reply the prompt asks for, cut mid-word and mid-sentence as models send it; the second
# sentence invents a dataset, the second pick an unknown result.
PARTS = [
    '{"summary": "[1] is the most comp',
    "lete record of resale transactions. The “Global Laptop Pr",
    "ice Index 2024” (id 987654) is also good. [2] adds re",
    'nts by town.", "picks": [{"ref": 2, "why": "Rents by town."}, {"ref": 9, "why": "Invented."}]}',
]
REPLY = "".join(PARTS)
FIRST = "“HDB Resale Flat Prices” is the most complete record of resale transactions."
SECOND = "“HDB Rental Prices by Town” adds rents by town."
QUERY = "hdb resale prices"


def _answered(message: Message) -> tuple[Message, tuple[str, ...]]:
    assert answer_generate(message_id=message.pk)
    message.refresh_from_db()
    snapshot = stream_read(message_id=message.pk)
    assert snapshot.done
    return message, snapshot.chunks


def _watch(message: Message, seen: list[tuple[str, ...]]):
    """A ``before_event`` hook: what the stream log holds each time the model sends more."""
    return lambda _n: seen.append(stream_read(message_id=message.pk).chunks)


@pytest.fixture
def chain(settings, fast_llm):
    settings.LLM_PROVIDERS = ["openai", "anthropic"]
    return settings


def test_raw_openai_stream_yields_deltas_for_the_one_json_prompt(chain, openai_server, anthropic_server, results):
    openai_server.then(Scripted(events=openai_stream(PARTS)))
    deltas = llm.stream(prompt_build(query="hdb", results=results))

    assert list(deltas) == PARTS
    assert (deltas.status, deltas.provider, deltas.model) == ("ok", "openai", "test-gpt")
    (request,) = openai_server.requests
    assert request["json"]["stream"] is True
    assert "Reply with JSON only" in request["json"]["messages"][0]["content"]
    assert anthropic_server.requests == []


def test_an_openai_stream_publishes_grounded_sentences_as_they_end(chain, openai_server, anthropic_server, results):
    message = pending_answer(results)
    seen: list[tuple[str, ...]] = []
    openai_server.then(Scripted(events=openai_stream(PARTS), event_delay=0.1, before_event=_watch(message, seen)))
    message, chunks = _answered(message)

    assert chunks == (FIRST, " " + SECOND)
    assert (FIRST,) in seen  # out while the model was still writing the rest
    assert not any("Laptop" in "".join(snapshot) for snapshot in seen)
    assert message.answer_provider == "openai:test-gpt"  # known only once the stream started
    assert message.answer_data["summary"] == "".join(chunks)
    assert [p["id"] for p in message.answer_data["picks"]] == [102]  # the model's pick; the invented one dropped
    assert len(openai_server.requests) == 1 and anthropic_server.requests == []


def test_an_anthropic_stream_speaks_the_messages_event_protocol(settings, fast_llm, anthropic_server, results):
    settings.LLM_PROVIDERS = ["anthropic"]
    message = pending_answer(results)
    seen: list[tuple[str, ...]] = []
    anthropic_server.then(
        Scripted(events=anthropic_stream(PARTS), event_delay=0.05, before_event=_watch(message, seen))
    )
    message, chunks = _answered(message)

    assert chunks == (FIRST, " " + SECOND)
    assert (FIRST,) in seen
    assert "Laptop" not in message.answer
    assert message.answer_provider == "anthropic:test-claude"
    (request,) = anthropic_server.requests
    assert request["path"] == "/v1/messages"
    assert request["json"]["stream"] is True


def test_failure_before_the_first_delta_is_retried_then_falls_through(chain, openai_server, anthropic_server, results):
    openai_server.then(
        Scripted(status=429, body=error_body("rate_limit_exceeded", "slow"), headers={"Retry-After": "0"}),
    )
    openai_server.default = Scripted(status=500, body=error_body("server_error", "boom"))
    anthropic_server.then(Scripted(events=anthropic_stream(PARTS)))
    message, chunks = _answered(pending_answer(results))

    assert len(openai_server.requests) == 1 + chain.LLM_MAX_RETRIES
    assert message.answer_provider == "anthropic:test-claude"
    assert chunks == (FIRST, " " + SECOND)


def test_no_provider_starting_in_time_means_the_builtin_answer_without_asking_again(
    settings, fast_llm, openai_server, results
):
    settings.LLM_PROVIDERS = ["openai"]
    settings.LLM_MAX_RETRIES = 0
    settings.LLM_TIMEOUT_SECONDS = 0.2
    openai_server.default = Scripted(events=openai_stream(PARTS), delay=1.0)
    message, chunks = _answered(pending_answer(results))

    builtin = builtin_answer(query=QUERY, results=results)
    assert message.answer_provider == "builtin"
    assert message.answer_data["summary"] == builtin.summary == "".join(chunks)
    assert len(openai_server.requests) == 1  # the stream tried the chain already
    assert llm.circuit_state("openai")["failures"] == 1


def test_connection_lost_mid_stream_falls_back_to_the_chain(chain, openai_server, anthropic_server, results):
    chain.LLM_MAX_RETRIES = 0
    # role + 3 parts: the first sentence is complete once the second has begun; then the connection drops.
    openai_server.then(Scripted(events=openai_stream(PARTS), cut_after=4))
    openai_server.default = Scripted(status=500, body=error_body("server_error", "boom"))
    anthropic_server.then(Scripted(body=anthropic_body(REPLY)))
    message, chunks = _answered(pending_answer(results))

    assert chunks == (FIRST,)  # only what was grounded before the cut was published
    assert message.answer_provider == "anthropic:test-claude"  # the chain: openai failed again, then anthropic
    assert message.answer_data["summary"] == f"{FIRST} {SECOND}"
    assert "stream" not in anthropic_server.requests[0]["json"]  # the chain's one-shot call
    assert llm.circuit_state("openai")["failures"] == 2


def test_an_error_event_before_a_complete_sentence_ends_with_the_builtin_answer(
    settings, fast_llm, anthropic_server, results
):
    settings.LLM_PROVIDERS = ["anthropic"]
    settings.LLM_MAX_RETRIES = 0
    events = anthropic_stream(['{"summary": "[1] is the most comp', "lete record"])
    events.insert(5, anthropic_error_event())  # after the first text delta
    anthropic_server.then(Scripted(events=events))
    anthropic_server.default = Scripted(status=529, body=error_body("overloaded_error", "Overloaded"))
    message, chunks = _answered(pending_answer(results))

    assert message.answer_provider == "builtin"
    assert "".join(chunks) == builtin_answer(query=QUERY, results=results).summary
    assert "most comp" not in message.answer
    assert llm.circuit_state("anthropic")["failures"] == 2  # the stream, then the chain's call


def test_the_deadline_cuts_a_slow_stream_and_the_builtin_answer_follows(settings, fast_llm, openai_server, results):
    settings.LLM_PROVIDERS = ["openai"]
    parts = [
        '{"summary": "[1] has resale prices. ',
        "[2] has rents. ",
        "[3] has medians. ",
        'That is all.", "picks": []}',
    ]
    openai_server.then(Scripted(events=openai_stream(parts), event_delay=0.4))
    message = pending_answer(results)
    started = time.monotonic()
    assert answer_generate(message_id=message.pk, deadline_seconds=1.5)
    elapsed = time.monotonic() - started
    message.refresh_from_db()

    assert message.answer_provider == "builtin"
    assert elapsed < 2.5  # the chain gets the time the stream left: none
    assert len(openai_server.requests) == 1
    text = "".join(stream_read(message_id=message.pk).chunks)
    assert "That is all" not in text and "has medians" not in text


def test_a_complete_stream_is_cached_and_a_rejected_one_is_not(chain, openai_server, results):
    invented = json.dumps({"summary": "The “Global Laptop Price Index 2024” is best.", "picks": []})
    openai_server.then(
        Scripted(events=openai_stream([invented])),  # nothing grounded: not cached, the chain is asked
        Scripted(body=openai_body(REPLY)),
    )
    first, first_chunks = _answered(pending_answer(results))
    assert first.answer_provider == "openai:test-gpt"
    assert "Laptop" not in "".join(first_chunks)
    assert len(openai_server.requests) == 2

    second, second_chunks = _answered(pending_answer(results))  # the same prompt: the chain's answer, cached
    assert len(openai_server.requests) == 2
    assert second.answer_provider == "openai:test-gpt"
    assert second_chunks == (FIRST, " " + SECOND)


def test_permanent_401_is_not_retried_and_an_open_circuit_is_skipped(
    settings, fast_llm, openai_server, anthropic_server, results
):
    settings.LLM_PROVIDERS = ["openai", "anthropic"]
    settings.LLM_CIRCUIT_FAILURES = 2
    openai_server.default = Scripted(status=401, body=error_body("invalid_api_key", "bad key"))
    anthropic_server.default = Scripted(events=anthropic_stream(PARTS))

    for n in (1, 2):
        message, _ = _answered(pending_answer(results, query=f"{QUERY} {n}"))
        assert message.answer_provider == "anthropic:test-claude"
        assert len(openai_server.requests) == n  # one attempt each: a bad key is not retried
    assert llm.circuit_state("openai")["state"] == "open"

    message, _ = _answered(pending_answer(results, query=f"{QUERY} 3"))
    assert message.answer_provider == "anthropic:test-claude"
    assert len(openai_server.requests) == 2  # skipped while the circuit is open
    assert llm.provider_health()["status"] == "degraded"


def test_no_provider_publishes_the_builtin_answer(settings, openai_server, results):
    settings.LLM_PROVIDERS = []
    message, chunks = _answered(pending_answer(results))
    assert message.answer_provider == "builtin"
    assert "".join(chunks) == builtin_answer(query=QUERY, results=results).summary
    assert openai_server.requests == []


def test_no_provider_imports_no_sdk(results, tmp_path):
    """A provider-less process never pays for the SDKs (a fresh interpreter: this one may have them)."""
    script = (
        "import sys, django; django.setup()\n"
        "from conversation.answering import answer_compose\n"
        "from conversation.streaming import StreamWriter\n"
        f"answer = answer_compose(query='hdb', results={results!r}, writer=StreamWriter(message_id=1))\n"
        "assert answer.provider == 'builtin', answer.provider\n"
        "print(sorted(m for m in ('openai', 'anthropic') if m in sys.modules))\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "research_assistant.settings",
        "LLM_PROVIDERS": "",
        "REDIS_URL": "",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=django_settings.BASE_DIR,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
