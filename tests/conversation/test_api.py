"""The conversation API end to end: real router, refinements, search index and built-in responder."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from activity.models import SearchHistory
from conversation.answering import answers_sweep
from conversation.models import Conversation, Message
from conversation.refine import facets
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return APIClient()


@pytest.fixture
def alice():
    return UserFactory(username="alice")


@pytest.fixture
def bob():
    return UserFactory(username="bob")


def say(client, message, conversation_id=None, *, wait=False, capture=None):
    body = {"message": message}
    if conversation_id:
        body["conversation_id"] = conversation_id
    url = "/api/conversation" + ("?wait=true" if wait else "")
    if capture is not None:
        with capture(execute=True):
            response = client.post(url, body, format="json")
    else:
        response = client.post(url, body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_search_turn_returns_results_at_once_and_the_answer_later(client, catalog, django_capture_on_commit_callbacks):
    data = say(client, "HDB resale prices", capture=django_capture_on_commit_callbacks)

    assert data["intent"] == "search"
    assert data["results"][0]["title"] == "HDB Resale Flat Prices"
    assert set(data["results"][0]) >= {"id", "title", "publisher", "formats", "url", "score", "why"}
    assert data["answer_status"] == "pending"
    assert "HDB resale prices" in data["reply"]

    answer = client.get(data["answer_url"]).json()  # the on-commit task has run by now
    assert answer["status"] == "ready"
    assert answer["answer_data"]["provider"] == "builtin"
    assert answer["answer_data"]["picks"][0]["title"] == "HDB Resale Flat Prices"
    result_ids = {r["id"] for r in data["results"]}
    assert {p["id"] for p in answer["answer_data"]["picks"]} <= result_ids
    assert "Top picks:" in answer["answer"]


def test_wait_true_returns_the_answer_in_the_same_response(client, catalog, settings):
    settings.ANSWER_WAIT_SECONDS = 0.2  # the on-commit task never runs inside the test transaction
    data = say(client, "rainfall in Singapore", wait=True)

    assert data["answer_status"] == "ready"
    assert data["answer_data"]["picks"][0]["title"] == "Rainfall Monthly Total"
    message = Message.objects.get(pk=data["message_id"])
    assert message.answer_status == Message.AnswerStatus.READY
    assert message.answer_provider == "builtin"


def test_multi_turn_refinements_merge_with_the_previous_search(client, catalog):
    first = say(client, "HDB resale prices")
    cid = first["conversation_id"]
    assert {r["title"] for r in first["results"]} >= {"HDB Resale Flat Prices", "Renting Out of Flats"}

    only_xlsx = say(client, "only the XLSX ones", cid)
    assert only_xlsx["conversation_id"] == cid
    assert only_xlsx["intent"] == "refine"
    assert only_xlsx["results"]
    assert all("XLSX" in r["formats"] for r in only_xlsx["results"])
    assert "XLSX" in only_xlsx["reply"] and "HDB resale prices" in only_xlsx["reply"]

    conversation = Conversation.objects.get(pk=cid)
    assert conversation.state["query"] == "HDB resale prices"
    assert conversation.state["include"] == {"format": [{"value": "XLSX", "label": "XLSX"}]}
    assert only_xlsx["search_state"]["chips"][0]["text"] == "XLSX only"
    assert conversation.state["result_ids"] == [r["id"] for r in only_xlsx["results"]]

    similar = say(client, "more like the first one", cid)
    assert similar["intent"] == "refine"
    assert only_xlsx["results"][0]["id"] not in [r["id"] for r in similar["results"]]
    anchor = Conversation.objects.get(pk=cid).state["similar_to"]
    assert anchor == only_xlsx["results"][0]["id"]

    # Re-sorting the "more like" results keeps that mode (same neighbours, anchor still excluded).
    resorted = say(client, "sort by most recent", cid)
    assert resorted["intent"] == "refine"
    assert Conversation.objects.get(pk=cid).state["similar_to"] == anchor
    assert {r["id"] for r in resorted["results"]} == {r["id"] for r in similar["results"]}

    history = client.get("/api/history").json()
    assert [h["query"] for h in history][-1] == "HDB resale prices"
    assert len(history) == 4


def test_a_change_and_a_question_in_one_message_are_both_done(client, catalog):
    first = say(client, "HDB resale prices")
    cid = first["conversation_id"]
    assert any("CSV" in r["formats"] for r in first["results"])

    both = say(client, "drop the CSV files and tell me who publishes the first one", cid)
    assert both["intent"] == "refine"
    assert both["results"] and all(r["formats"] != ["CSV"] for r in both["results"])
    lead = both["results"][0]
    # The question is asked of the list the change leaves: its first result, by title and publisher
    assert f"“{lead['title']}” (#1) is published by {lead['publisher']}" in both["reply"]
    assert Conversation.objects.get(pk=cid).state["exclude"] == {"format": [{"value": "CSV", "label": "CSV"}]}


def test_a_question_about_a_result_leaves_the_search_state_and_sets_what_that_one_means(client, catalog):
    first = say(client, "HDB resale prices")
    asked = say(client, "who publishes the second one?", first["conversation_id"])
    assert asked["intent"] == "question"
    assert asked["search_state"] == first["search_state"]  # a question changes nothing of the search
    assert asked["references"]["focus"] == first["results"][1]["id"] and first["references"]["focus"] is None
    assert "focus" not in asked["search_state"] and "compared" not in asked["search_state"]


def test_year_refinement_and_reply(client, catalog):
    cid = say(client, "HDB resale prices")["conversation_id"]
    data = say(client, "what about 2022?", cid)
    assert data["intent"] == "refine"
    assert Conversation.objects.get(pk=cid).state["year_from"] == 2022
    assert "2022" in data["reply"]


def test_each_message_is_parsed_once(client, catalog, monkeypatch):
    parsed = []
    take_clear = facets.take_clear  # the first step of every parse
    monkeypatch.setattr(facets, "take_clear", lambda t, p: parsed.append(t) or take_clear(t, p))
    cid = say(client, "HDB resale prices since 2015")["conversation_id"]
    state = Conversation.objects.get(pk=cid).state
    assert (state["year_from"], state["year_to"], state["include"], state["exclude"]) == (2015, None, {}, {})
    say(client, "thanks, what about schools?", cid)
    assert Conversation.objects.get(pk=cid).state["query"] == "schools"
    # The new topic is read once as a query of its own (the new search reuses that reading): no text twice.
    assert [p.strip() for p in parsed] == ["hdb resale prices since 2015", "what about schools", "schools"]


def test_smalltalk_capabilities_and_out_of_scope(client, catalog):
    hello = say(client, "hi there")
    assert hello["intent"] == "smalltalk"
    assert hello["answer_status"] == "ready"
    assert hello["results"] == []

    caps = say(client, "which sources do you have?", hello["conversation_id"])
    assert caps["intent"] == "capabilities"
    assert "data.gov.sg (10 datasets)" in caps["reply"]

    oos = say(client, "laptop prices?", hello["conversation_id"])
    assert oos["intent"] == "out_of_scope"
    assert "datasets" in oos["reply"]
    # The router relates laptop prices to the consumer price index, which the catalog has.
    assert [r["title"] for r in oos["results"]] == ["Consumer Price Index (CPI), 2019 As Base Year"]
    assert "A related dataset in the catalog is “Consumer Price Index (CPI), 2019 As Base Year”" in oos["reply"]

    poem = say(client, "write a poem", hello["conversation_id"])
    assert poem["intent"] == "out_of_scope" and poem["results"] == []
    assert poem["answer_status"] == "ready"


def test_nothing_good_answer_is_honest_and_links_elsewhere(client, catalog, settings):
    settings.ANSWER_WAIT_SECONDS = 0.1
    data = say(client, "quantum chromodynamics lattice datasets", wait=True)
    assert data["intent"] == "search"
    assert data["results"] == []
    answer = data["answer_data"]
    assert answer["nothing_good"] is True
    assert answer["picks"] == []
    names = [link["name"] for link in answer["search_elsewhere"]]
    assert names == ["data.gov.sg", "World Bank Data Catalog", "Kaggle", "Hugging Face", "Google Dataset Search"]
    assert all(link["external"] for link in answer["search_elsewhere"])
    assert "quantum+chromodynamics" in answer["search_elsewhere"][0]["url"]
    assert "external searches, not results" in data["answer"]


def test_invalid_input_is_a_400_with_field_errors(client, catalog):
    assert client.post("/api/conversation", {}, format="json").json()["message"]
    response = client.post(
        "/api/conversation", {"message": "x" * (settings.CONVERSATION_MAX_MESSAGE_CHARS + 1)}, format="json"
    )
    assert response.status_code == 400 and "message" in response.json()
    response = client.post("/api/conversation", {"message": ""}, format="json")
    assert response.status_code == 400 and "message" in response.json()
    response = client.post("/api/conversation", {"message": "hi", "conversation_id": "nope"}, format="json")
    assert response.status_code == 400 and "conversation_id" in response.json()
    response = client.post("/api/ai-search", {"query": "", "top_k": 99}, format="json")
    assert response.status_code == 400 and set(response.json()) >= {"query", "top_k"}
    response = client.post("/api/ai-search", {"query": "rain", "filters": {"colour": "red"}}, format="json")
    assert response.status_code == 400 and "colour" in response.json()
    assert Message.objects.count() == 0


def test_a_long_message_is_searched_by_its_gist_and_says_so(client, catalog):
    brief = (
        "Hello! Some context first. Our team is preparing a briefing for the housing committee and the meeting "
        "is next week, so there is not much time. "
        * 6
        + "We need HDB resale prices by town for the last ten years. Thanks a lot for your help with this."
    )
    assert len(brief) > 500
    data = say(client, brief)
    assert data["intent"] == "search"
    assert "HDB Resale Flat Prices" in {r["title"] for r in data["results"]}
    assert f"{len(brief):,} characters" in data["reply"] and "gist" in data["reply"]
    assert "Ensure this" not in data["reply"]
    assert Message.objects.filter(role="user").get().content == brief.strip()  # nothing lost


def test_a_long_message_is_a_search_when_its_request_is_one_whatever_its_asides_read_as(client, catalog):
    brief = (
        "Hello! Some context first. Our team is preparing a briefing for the housing committee and the meeting "
        "is next week, so there is not much time. "
        * 4
        + "We want to model housing costs with external data - real transactions preferred, several towns a plus, "
        "synthetic is acceptable if it is realistic."
    )
    data = say(client, brief)
    assert data["intent"] == "search", data["reply"]  # the asides alone read as a task we do not do
    assert "HDB Resale Flat Prices" in {r["title"] for r in data["results"]}
    assert "gist" in data["reply"]


def test_ai_search_returns_results_and_a_grounded_answer(client, catalog):
    response = client.post("/api/ai-search", {"query": "air quality", "top_k": 3}, format="json")
    assert response.status_code == 200
    data = response.json()
    assert data["results"][0]["title"] == "Pollutant Standards Index (PSI)"
    assert len(data["results"]) <= 3
    assert data["answer"]["provider"] == "builtin"
    assert {p["id"] for p in data["answer"]["picks"]} <= {r["id"] for r in data["results"]}
    assert "Pollutant Standards Index (PSI)" in data["answer_text"]


def test_other_users_conversations_are_404(client, catalog, alice, bob):
    client.force_authenticate(alice)
    data = say(client, "HDB resale prices")
    cid, answer_url = data["conversation_id"], data["answer_url"]
    assert client.get(f"/api/conversations/{cid}").status_code == 200

    client.force_authenticate(bob)
    assert client.get(f"/api/conversations/{cid}").status_code == 404
    assert client.delete(f"/api/conversations/{cid}").status_code == 404
    assert client.get(answer_url).status_code == 404
    response = client.post("/api/conversation", {"message": "only CSV", "conversation_id": cid}, format="json")
    assert response.status_code == 404
    assert client.get("/api/conversations").json() == []
    assert client.get("/api/history").json() == []
    assert client.get(f"/api/conversations/{uuid.uuid4()}").status_code == 404
    assert Conversation.objects.filter(pk=cid).exists()

    client.force_authenticate(alice)
    listing = client.get("/api/conversations").json()
    assert [c["id"] for c in listing] == [cid]
    detail = client.get(f"/api/conversations/{cid}").json()
    assert [m["role"] for m in detail["messages"]] == ["user", "assistant"]
    assert detail["messages"][1]["results"][0]["title"] == "HDB Resale Flat Prices"
    assert client.delete(f"/api/conversations/{cid}").status_code == 204
    assert not Conversation.objects.filter(pk=cid).exists()


def test_history_persists_per_user_and_can_be_cleared(client, catalog, alice, bob):
    client.force_authenticate(alice)
    say(client, "rainfall data")
    client.force_authenticate(bob)
    say(client, "dengue cases")
    assert [h["query"] for h in client.get("/api/history").json()] == ["dengue cases"]
    assert client.delete("/api/history").status_code == 204
    assert client.get("/api/history").json() == []
    assert SearchHistory.objects.filter(user=alice).count() == 1


def test_anonymous_sessions_are_isolated(catalog):
    visitor, stranger = APIClient(), APIClient()
    data = say(visitor, "public transport ridership")
    cid = data["conversation_id"]
    assert visitor.cookies.get("sessionid")
    conversation = Conversation.objects.get(pk=cid)
    assert conversation.user is None and conversation.session_key

    follow = say(visitor, "sort by most recent", cid)  # the same session continues its conversation
    assert follow["conversation_id"] == cid
    assert [c["id"] for c in visitor.get("/api/conversations").json()] == [cid]
    assert len(visitor.get("/api/history").json()) == 2

    assert stranger.get(f"/api/conversations/{cid}").status_code == 404
    assert stranger.get(data["answer_url"]).status_code == 404
    response = stranger.post("/api/conversation", {"message": "hello", "conversation_id": cid}, format="json")
    assert response.status_code == 404
    assert stranger.get("/api/history").json() == []
    other = say(stranger, "hello")
    assert other["conversation_id"] != cid


def test_context_is_limited_to_the_last_turns(client, catalog, settings):
    from conversation.selectors import conversation_context

    settings.CONVERSATION_CONTEXT_TURNS = 2
    cid = say(client, "hi")["conversation_id"]
    for message in ("rainfall", "only CSV", "what about 2020?"):
        say(client, message, cid)
    conversation = Conversation.objects.get(pk=cid)
    assert conversation_context(conversation=conversation) == ["only CSV", "what about 2020?"]


def test_schema_documents_the_conversation_endpoints(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    for path in ("/api/conversation", "/api/ai-search", "/api/conversations", "/api/history"):
        assert path in paths


def test_provider_answer_in_a_conversation_is_grounded(
    client, catalog, settings, openai_server, django_capture_on_commit_callbacks
):
    from .llm_server import Scripted, openai_stream

    settings.LLM_PROVIDERS = ["openai"]
    invented = {
        "summary": "[1] has every dengue case by week. The “Malaysia Dengue Outbreak Register” (id 31337) adds more.",
        "picks": [{"ref": 1, "why": "Weekly counts since 2014."}, {"ref": 12, "why": "Invented."}],
    }
    reply = json.dumps(invented)
    openai_server.then(Scripted(events=openai_stream([reply[i : i + 20] for i in range(0, len(reply), 20)])))
    data = say(client, "dengue cases", capture=django_capture_on_commit_callbacks)

    answer = client.get(data["answer_url"]).json()
    assert answer["status"] == "ready"
    assert answer["provider"] == "openai:test-gpt"
    assert answer["answer_data"]["summary"] == "“Weekly Number of Dengue Cases” has every dengue case by week."
    assert [p["title"] for p in answer["answer_data"]["picks"]] == ["Weekly Number of Dengue Cases"]
    assert "Malaysia" not in answer["answer"] and "31337" not in answer["answer"]
    prompt = openai_server.requests[0]["json"]["messages"][1]["content"]
    assert "Weekly Number of Dengue Cases" in prompt.split("<datasets>")[1]


def test_earlier_requests_reach_the_prompt_as_delimited_context(
    client, catalog, settings, openai_server, django_capture_on_commit_callbacks
):
    from .llm_server import Scripted, openai_body, openai_stream

    settings.LLM_PROVIDERS = ["openai"]
    settings.CONVERSATION_CONTEXT_TURNS = 2
    reply = json.dumps({"summary": "[1] fits.", "picks": [{"ref": 1}]})
    openai_server.default = Scripted(body=openai_body(reply))  # the follow-up reading (structured output)
    openai_server.stream_default = Scripted(events=openai_stream([reply]))  # the streamed summaries
    cid = say(client, "rainfall in Singapore", capture=django_capture_on_commit_callbacks)["conversation_id"]
    say(client, "dengue cases", cid, capture=django_capture_on_commit_callbacks)
    say(client, "air quality", cid, capture=django_capture_on_commit_callbacks)

    # The provider also read the follow-ups (structured output); the summaries are the prompts with results.
    summaries = [
        r["json"]["messages"][1]["content"] for r in openai_server.requests if "response_format" not in r["json"]
    ]
    first, _, third = summaries
    assert "<conversation>" not in first
    block = third.split("<conversation>")[1].split("</conversation>")[0]
    # At most 2 turns of context: this request and the one before it; the first has aged out.
    assert "dengue cases" in block and "rainfall" not in block
    assert "air quality" not in block  # the request itself is not "earlier"
    assert '"air quality"' in third.split("<request>")[1]


def test_a_turn_sent_again_with_its_request_id_is_replayed_not_repeated(client, catalog):
    first = client.post("/api/conversation", {"message": "HDB resale prices", "request_id": "abc-1"}, format="json")
    again = client.post(
        "/api/conversation", {"message": "HDB resale prices"}, format="json", HTTP_IDEMPOTENCY_KEY="abc-1"
    )
    assert first.status_code == again.status_code == 200
    one, two = first.json(), again.json()
    assert (two["conversation_id"], two["message_id"]) == (one["conversation_id"], one["message_id"])
    assert [r["id"] for r in two["results"]] == [r["id"] for r in one["results"]]
    assert Message.objects.filter(role="user").count() == 1
    # A new id is a new turn; an id with spaces or over 64 characters is refused.
    other = client.post(
        "/api/conversation", {"message": "only csv", "conversation_id": one["conversation_id"], "request_id": "abc-2"},
        format="json",
    )  # fmt: skip
    assert other.json()["message_id"] != one["message_id"]
    bad = client.post("/api/conversation", {"message": "x", "request_id": "a b"}, format="json")
    assert bad.status_code == 400 and "request_id" in bad.json()


def test_a_turn_left_pending_is_answered_by_the_sweep(client, catalog, settings):
    data = say(client, "HDB resale prices")  # no on-commit capture: the answer task never runs
    message = Message.objects.get(pk=data["message_id"])
    assert message.answer_status == "pending"
    assert answers_sweep(older_than_seconds=60) == 0  # too young to sweep
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(seconds=120))
    assert answers_sweep(older_than_seconds=60) == 1
    message.refresh_from_db()
    assert message.answer_status == "ready" and message.answer_provider == "builtin"
