"""The reader side of streamed answers: SSE events as the writer publishes, the page's stream view
and the API's (owner-only, deltas then final, bounded), and the no-JavaScript fallbacks."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from conversation.answer_events import answer_events
from conversation.answering import answer_generate
from conversation.models import Conversation, Message
from conversation.streaming import StreamWriter
from tests.conversation.conftest import pending_answer
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _events(body: str) -> list[tuple[str, dict, str | None]]:
    """Parse SSE text into (event, data, id) triples; comments and retry lines are skipped."""
    out = []
    for block in body.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        if "event" in fields:
            out.append((fields["event"], json.loads(fields["data"]), fields.get("id")))
    return out


def test_events_follow_the_writer_chunk_by_chunk_then_end_with_the_final_answer(results):
    message = pending_answer(results, conversation=Conversation.objects.create(session_key="s"))
    writer = StreamWriter(message_id=message.pk)
    script = iter(
        [
            lambda: writer.write("First sentence."),
            lambda: None,
            lambda: writer.write(" Second sentence."),
            lambda: Message.objects.filter(pk=message.pk).update(answer="done", answer_status="ready"),
        ]
    )
    out = []
    # Each time the reader waits, the writer takes one step: the interleaving is deterministic.
    for text in answer_events(
        message=message,
        final_payload=lambda m: {"status": m.answer_status},
        sleep=lambda _seconds: next(script, lambda: None)(),
    ):
        out.append(text)
    events = _events("".join(out))
    assert events == [
        ("delta", {"text": "First sentence."}, "0"),
        ("delta", {"text": " Second sentence."}, "1"),
        ("final", {"status": "ready"}, None),
    ]
    assert out[0] == "retry: 3000\n\n"


def test_events_resume_after_the_last_event_id(results):
    message = pending_answer(results, conversation=Conversation.objects.create(session_key="s"))
    answer_generate(message_id=message.pk)
    events = _events("".join(answer_events(message=message, final_payload=lambda m: {}, after_id=0)))
    assert [e[2] for e in events if e[0] == "delta"][0] == "1"


def test_a_stream_is_bounded_and_sends_heartbeats(results, settings):
    settings.ANSWER_STREAM_MAX_SECONDS = 1.0
    settings.ANSWER_STREAM_HEARTBEAT_SECONDS = 0.3
    message = pending_answer(results, conversation=Conversation.objects.create(session_key="s"))
    now = [0.0]

    def sleep(seconds):
        now[0] += seconds

    body = "".join(answer_events(message=message, final_payload=lambda m: {}, clock=lambda: now[0], sleep=sleep))
    assert body.count(": keep-alive") >= 2
    assert _events(body) == [("timeout", {"status": "pending"}, None)]
    message.refresh_from_db()
    assert message.answer_status == "pending"


def _owned_pending(client, results) -> Message:
    client.get(reverse("home"))
    return pending_answer(results, conversation=Conversation.objects.create(session_key=client.session.session_key))


def test_page_stream_sends_the_summary_in_deltas_then_the_rendered_answer(client, results):
    message = _owned_pending(client, results)
    answer_generate(message_id=message.pk)
    response = client.get(reverse("chat-answer-stream", args=[message.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    assert response["Cache-Control"].startswith("no-cache")
    assert response["X-Accel-Buffering"] == "no"
    events = _events(b"".join(response.streaming_content).decode())
    deltas = [data["text"] for event, data, _ in events if event == "delta"]
    message.refresh_from_db()
    assert len(deltas) >= 3 and "".join(deltas) == message.answer_data["summary"]
    assert events[-1][0] == "final"
    html = events[-1][1]["html"]
    assert 'data-answer-status="ready"' in html and "HDB Resale Flat Prices" in html
    assert 'name="csrfmiddlewaretoken"' in html  # the feedback buttons work once swapped in


def test_an_overdue_answer_streams_the_builtin_fallback(client, results):
    message = _owned_pending(client, results)
    Message.objects.filter(pk=message.pk).update(created_at=message.created_at - dt.timedelta(minutes=5))
    events = _events(b"".join(client.get(reverse("chat-answer-stream", args=[message.pk])).streaming_content).decode())
    assert [e[0] for e in events] == ["final"]
    message.refresh_from_db()
    assert message.answer_status == "ready" and message.answer_provider == "builtin"


def test_only_the_owner_may_stream(client, results):
    theirs = pending_answer(results, conversation=Conversation.objects.create(session_key="someone-else"))
    alice = UserFactory()
    alices = pending_answer(results, conversation=Conversation.objects.create(user=alice))
    for message in (theirs, alices):
        assert client.get(reverse("chat-answer-stream", args=[message.pk])).status_code == 404
        assert client.get(reverse("api-conversation-answer-stream", args=[message.pk])).status_code == 404
    client.force_login(UserFactory())
    assert client.get(reverse("chat-answer-stream", args=[alices.pk])).status_code == 404
    client.force_login(alice)
    assert client.get(reverse("chat-answer-stream", args=[alices.pk])).status_code == 200
    no_answer = Message.objects.create(conversation=alices.conversation, role="assistant", content="Hi!")
    assert client.get(reverse("chat-answer-stream", args=[no_answer.pk])).status_code == 404
    assert client.post(reverse("chat-answer-stream", args=[alices.pk])).status_code == 405


def test_api_stream_ends_with_the_answer_payload(client, results):
    message = _owned_pending(client, results)
    answer_generate(message_id=message.pk)
    response = client.get(reverse("api-conversation-answer-stream", args=[message.pk]), HTTP_ACCEPT="text/event-stream")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/event-stream")
    events = _events(b"".join(response.streaming_content).decode())
    final = events[-1]
    assert final[0] == "final"
    assert final[1]["status"] == "ready" and final[1]["message_id"] == message.pk
    assert "".join(d["text"] for e, d, _ in events if e == "delta") == final[1]["answer_data"]["summary"]


def test_the_stream_endpoint_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/conversation/messages/{message_id}/stream"]["get"]
    assert "text/event-stream" in operation["responses"]["200"]["content"]


def test_without_javascript_the_chat_page_refreshes_until_the_answer_is_in(client, results):
    message = _owned_pending(client, results)
    session = client.session
    session["chat_conversation_id"] = str(message.conversation_id)
    session.save()
    body = client.get(reverse("home")).content.decode()
    assert '<noscript><meta http-equiv="refresh"' in body
    assert f'data-stream-url="{reverse("chat-answer-stream", args=[message.pk])}"' in body
    answer_generate(message_id=message.pk)
    body = client.get(reverse("home")).content.decode()
    assert 'http-equiv="refresh"' not in body
    assert 'data-answer-status="ready"' in body
    # a lost answer (no worker) does not refresh forever: the page stores the built-in one
    lost = pending_answer(results, conversation=message.conversation)
    Message.objects.filter(pk=lost.pk).update(created_at=lost.created_at - dt.timedelta(minutes=5))
    body = client.get(reverse("home")).content.decode()
    assert 'http-equiv="refresh"' not in body
    lost.refresh_from_db()
    assert lost.answer_status == "ready"


def test_an_api_turn_links_its_answer_stream(catalog, django_capture_on_commit_callbacks):
    from rest_framework.test import APIClient

    client = APIClient()
    with django_capture_on_commit_callbacks(execute=True):
        data = client.post("/api/conversation", {"message": "HDB resale prices"}, format="json").json()
    assert data["answer_status"] == "pending"
    assert data["answer_stream_url"] == reverse("api-conversation-answer-stream", args=[data["message_id"]])
    response = client.get(data["answer_stream_url"], HTTP_ACCEPT="text/event-stream")
    events = _events(b"".join(response.streaming_content).decode())
    assert [e[0] for e in events][-1] == "final"
    assert events[-1][1]["answer_data"]["picks"][0]["title"] == "HDB Resale Flat Prices"
    assert len([e for e in events if e[0] == "delta"]) >= 2


def test_api_stream_sends_the_models_grounded_sentences_then_final(client, results, settings, fast_llm, openai_server):
    from .llm_server import Scripted, openai_stream

    settings.LLM_PROVIDERS = ["openai"]
    reply = json.dumps(
        {
            "summary": "Start with [1], the full resale record. The “Global Laptop Price Index” is better. "
            "For rents, see [2].",
            "picks": [{"ref": 2, "why": "Rents by town."}],
        }
    )
    openai_server.then(Scripted(events=openai_stream([reply[i : i + 16] for i in range(0, len(reply), 16)])))
    message = _owned_pending(client, results)
    answer_generate(message_id=message.pk)  # what the Celery task runs: the model stream by default
    response = client.get(reverse("api-conversation-answer-stream", args=[message.pk]), HTTP_ACCEPT="text/event-stream")
    events = _events(b"".join(response.streaming_content).decode())

    assert [(e, d["text"]) for e, d, _ in events if e == "delta"] == [
        ("delta", "Start with “HDB Resale Flat Prices”, the full resale record."),
        ("delta", " For rents, see “HDB Rental Prices by Town”."),
    ]
    final = events[-1]
    assert final[0] == "final" and final[1]["provider"] == "openai:test-gpt"
    assert final[1]["answer_data"]["picks"][0]["title"] == "HDB Rental Prices by Town"
    assert "Laptop" not in json.dumps(events, ensure_ascii=False)
    assert openai_server.requests[0]["json"]["stream"] is True
