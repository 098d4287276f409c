"""The chat form's client request id: a double submit or a resent form replays the turn instead of
storing it twice; each new turn gets a new id (with and without HTMX)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from conversation.models import Message

pytestmark = pytest.mark.django_db

ID_INPUT = re.compile(r'<input type="hidden" name="request_id" id="chat-request-id" value="([^"]+)"')


@pytest.fixture
def indexed(db):
    from search.services import index_ensure
    from tests.factories import DatasetFactory

    DatasetFactory(title="Daily rainfall by station", description="Rain gauges.", formats=["CSV"])
    DatasetFactory(title="Bus ridership", description="Passengers per month.", formats=["CSV"])
    index_ensure()


def _form_id(html: str) -> str:
    return ID_INPUT.search(html).group(1)


def test_the_chat_form_carries_a_fresh_request_id(client):
    first, second = _form_id(client.get(reverse("home")).content.decode()), _form_id(client.get(reverse("home")).content.decode())
    assert first != second and re.fullmatch(r"[0-9a-f]{32}", first)
    # The suggestion buttons are forms too: each has its own id.
    body = client.get(reverse("home")).content.decode()
    suggestion_ids = re.findall(r'name="request_id" value="([^"]+-s\d)"', body)
    assert len(suggestion_ids) == len(set(suggestion_ids)) >= 2


@pytest.mark.slow
def test_a_double_submitted_turn_is_stored_once_without_javascript(client, indexed):
    request_id = _form_id(client.get(reverse("home")).content.decode())
    one = client.post(reverse("chat-send"), {"message": "rainfall data", "request_id": request_id})
    two = client.post(reverse("chat-send"), {"message": "rainfall data", "request_id": request_id})
    assert one.status_code == two.status_code == 302
    assert one["Location"] == two["Location"]  # the same turn's anchor
    assert Message.objects.filter(role="user", content="rainfall data").count() == 1
    assert Message.objects.filter(role="assistant").count() == 1
    # The page after the redirect has a new id: the next turn is a new one.
    next_id = _form_id(client.get(reverse("home")).content.decode())
    assert next_id != request_id
    client.post(reverse("chat-send"), {"message": "rainfall data", "request_id": next_id})
    assert Message.objects.filter(role="user", content="rainfall data").count() == 2


@pytest.mark.slow
def test_a_double_submitted_turn_over_htmx_replays_and_the_response_renews_the_id(client, indexed):
    request_id = _form_id(client.get(reverse("home")).content.decode())
    one = client.post(reverse("chat-send"), {"message": "bus ridership", "request_id": request_id}, HTTP_HX_REQUEST="true")
    two = client.post(reverse("chat-send"), {"message": "bus ridership", "request_id": request_id}, HTTP_HX_REQUEST="true")
    assert Message.objects.filter(role="user", content="bus ridership").count() == 1
    body_one, body_two = one.content.decode(), two.content.decode()
    turn_ids = {re.search(r'id="turn-(\d+)"', b).group(1) for b in (body_one, body_two)}
    assert len(turn_ids) == 1  # both answers show the one stored turn
    # Each response swaps a new id into the form (out of band) for the next turn.
    renewed = re.search(r'name="request_id" id="chat-request-id" value="([^"]+)" hx-swap-oob="true"', body_one)
    assert renewed and renewed.group(1) != request_id


def test_a_malformed_request_id_is_ignored_not_an_error(client, db):
    response = client.post(reverse("chat-send"), {"message": "hello", "request_id": "x" * 200})
    assert response.status_code == 302
    response = client.post(reverse("chat-send"), {"message": "hello", "request_id": "bad id\x00"})
    assert response.status_code in (302, 400)  # the input guard may refuse the NUL byte first
    assert Message.objects.filter(role="user", content="hello").count() >= 1
