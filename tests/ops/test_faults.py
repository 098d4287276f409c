"""Faults on the production stack pieces (real gunicorn, redis-server, PostgreSQL or SQLite): a chat
turn while Redis is down degrades to the built-in answer at once, and a retried turn is not duplicated."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.ops.conftest import server_env, wait_for

pytestmark = pytest.mark.slow

COLD_TURN_TIMEOUT = 180


def _turn(client: httpx.Client, message: str, **fields) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = client.post("/api/conversation", json={"message": message, **fields})
    return response, time.monotonic() - started


def _answer(client: httpx.Client, body: dict) -> dict:
    return client.get(body["answer_url"]).json()


def test_a_chat_turn_while_redis_is_down_is_answered_in_process_and_never_duplicated(
    server_db_url, redis_server, make_gunicorn
):
    env = server_env(server_db_url, REDIS_URL=redis_server.url, API_THROTTLE_ANON="1000/min")
    server = make_gunicorn(env)
    # The first turn loads the embedding model, the index and the router in a cold worker (WARM_UP=0): on a
    # loaded two-core host that alone has taken over 30 s, so the client waits longer than any turn should.
    with httpx.Client(base_url=server.url, timeout=COLD_TURN_TIMEOUT) as client:
        first, _ = _turn(client, "monthly rainfall")
        assert first.status_code == 200, first.text
        conversation_id = first.json()["conversation_id"]

        redis_server.stop()
        down, seconds = _turn(client, "dengue cases by week", conversation_id=conversation_id, request_id="turn-2")
        assert down.status_code == 200, down.text
        assert seconds < 10, f"the turn waited {seconds:.1f}s on the dead broker"
        body = down.json()
        # The task could not be queued: the built-in responder answered in the request.
        answer = wait_for(lambda: (a := _answer(client, body))["status"] == "ready" and a, timeout=15)
        assert answer["answer"]

        # The client retries (it never saw the response, say): the same turn comes back, not a new one.
        again, _ = _turn(client, "dengue cases by week", conversation_id=conversation_id, request_id="turn-2")
        assert again.status_code == 200
        assert again.json()["message_id"] == body["message_id"]
        messages = client.get(f"/api/conversations/{conversation_id}").json()["messages"]
        assert [m["content"] for m in messages if m["role"] == "user"].count("dengue cases by week") == 1

        redis_server.start()
        back, _ = _turn(client, "school enrolment", conversation_id=conversation_id)
        assert back.status_code == 200


def test_a_retried_first_turn_finds_the_conversation_it_started(server_db_url, make_gunicorn):
    server = make_gunicorn(server_env(server_db_url))
    # The first turn loads the embedding model, the index and the router in a cold worker (WARM_UP=0): on a
    # loaded two-core host that alone has taken over 30 s, so the client waits longer than any turn should.
    with httpx.Client(base_url=server.url, timeout=COLD_TURN_TIMEOUT) as client:
        one, _ = _turn(client, "hdb resale prices", request_id="first-try")
        two, _ = _turn(client, "hdb resale prices", request_id="first-try")
        assert one.status_code == two.status_code == 200
        assert one.json()["conversation_id"] == two.json()["conversation_id"]
        assert one.json()["message_id"] == two.json()["message_id"]
        assert len(client.get("/api/conversations").json()) == 1
