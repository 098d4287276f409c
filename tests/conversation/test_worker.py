"""The answer task through a real Celery worker process over Redis (production stack)."""

from __future__ import annotations

import time

import pytest
from rest_framework.test import APIClient

from conversation.models import Message
from conversation.tasks import answer_generate_task

pytestmark = pytest.mark.worker


def wait_ready(client, url, timeout=60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = client.get(url).json()
        if data["status"] == "ready":
            return data
        time.sleep(0.2)
    raise AssertionError(f"answer at {url} not ready after {timeout}s")


def test_answer_is_written_by_the_worker_once(celery_worker, catalog_committed):
    client = APIClient()
    response = client.post("/api/conversation", {"message": "dengue cases in Singapore"}, format="json")
    assert response.status_code == 200
    data = response.json()
    assert data["intent"] == "search"
    assert data["answer_status"] == "pending"  # results came back before the answer

    answer = wait_ready(client, data["answer_url"])
    assert answer["answer_data"]["provider"] == "builtin"
    assert answer["answer_data"]["picks"][0]["title"] == "Weekly Number of Dengue Cases"
    message = Message.objects.get(pk=data["message_id"])
    stored = (message.answer, message.answer_data)

    # A redelivered task finds nothing pending and posts nothing.
    assert answer_generate_task.apply_async(args=[message.id]).get(timeout=30) is False
    message.refresh_from_db()
    assert (message.answer, message.answer_data) == stored
    assert Message.objects.filter(conversation_id=data["conversation_id"], role="assistant").count() == 1


def test_wait_true_gets_the_workers_answer(celery_worker, catalog_committed, settings):
    settings.ANSWER_WAIT_SECONDS = 30
    client = APIClient()
    data = client.post("/api/conversation?wait=true", {"message": "HDB resale prices"}, format="json").json()
    assert data["answer_status"] == "ready"
    assert data["answer_data"]["picks"][0]["title"] == "HDB Resale Flat Prices"
