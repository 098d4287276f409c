"""Read-only shared conversations: services, the owner's create/revoke, the public page, the API."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from conversation import services
from conversation.models import Conversation, ConversationShare, Message
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

XSS = "<script>alert(1)</script>"


def _conversation(results, **owner) -> Conversation:
    conversation = Conversation.objects.create(**owner)
    Message.objects.create(conversation=conversation, role="user", content=f"hdb resale prices {XSS}")
    Message.objects.create(
        conversation=conversation,
        role="assistant",
        intent="search",
        content="Here are 3 datasets",
        answer_status="ready",
        answer="A summary.",
        answer_data={"summary": "Start with the resale prices.", "picks": [], "search_elsewhere": []},
        search={
            "query": "hdb resale prices",
            "results": results,
            "total": 3,
            "chips": [{"mode": "include", "facet": "format", "value": "CSV", "text": "Format: CSV"}],
        },
    )
    return conversation


def test_share_create_is_idempotent_and_tokens_are_unguessable(results):
    conversation = _conversation(results, session_key="s")
    share, created = services.share_create(conversation=conversation)
    again, created_again = services.share_create(conversation=conversation)
    assert created and not created_again and again.pk == share.pk
    assert len(share.token) >= 32
    assert services.share_revoke(conversation=conversation) == 1
    assert services.share_revoke(conversation=conversation) == 0
    fresh, created = services.share_create(conversation=conversation)
    assert created and fresh.token != share.token
    other, _ = services.share_create(conversation=_conversation(results, session_key="t"))
    assert other.token not in (share.token, fresh.token)


def test_the_database_allows_one_active_link_per_conversation(results):
    conversation = _conversation(results, session_key="s")
    ConversationShare.objects.create(conversation=conversation, token="a" * 32)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConversationShare.objects.create(conversation=conversation, token="b" * 32)


def _own(client, results) -> Conversation:
    client.get(reverse("home"))
    conversation = _conversation(results, session_key=client.session.session_key)
    session = client.session
    session["chat_conversation_id"] = str(conversation.pk)
    session.save()
    return conversation


def test_owner_creates_a_link_that_anyone_can_read_until_it_is_revoked(client, results, django_user_model):
    conversation = _own(client, results)
    home = client.get(reverse("home")).content.decode()
    assert "Create a read-only link" in home
    response = client.post(reverse("conversation-share-create", args=[conversation.pk]))
    assert response.status_code == 302
    share = ConversationShare.objects.get(conversation=conversation)
    shared_url = reverse("conversation-shared", args=[share.token])
    assert shared_url in client.get(reverse("home")).content.decode()

    from django.test import Client

    stranger = Client()
    page = stranger.get(shared_url)
    assert page.status_code == 200
    body = page.content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in body
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert page["Referrer-Policy"] == "no-referrer"
    assert "no-store" in page["Cache-Control"]
    assert "HDB Resale Flat Prices" in body and "Start with the resale prices." in body
    assert "Format: CSV" in body  # the chips are shown ...
    assert reverse("chat-chip-remove") not in body  # ... without remove buttons
    assert 'id="chat-form"' not in body and 'name="message"' not in body  # no input box
    assert reverse("feedback") not in body  # no feedback buttons
    assert XSS not in body and "&lt;script&gt;" in body
    assert "Start with the resale prices." not in stranger.get(reverse("home")).content.decode()  # not their chat

    assert client.post(reverse("conversation-share-revoke", args=[conversation.pk])).status_code == 302
    assert stranger.get(shared_url).status_code == 404
    assert client.get(shared_url).status_code == 404
    assert "Create a read-only link" in client.get(reverse("home")).content.decode()


def test_htmx_create_and_revoke_swap_the_share_box(client, results):
    conversation = _own(client, results)
    box = client.post(reverse("conversation-share-create", args=[conversation.pk]), HTTP_HX_REQUEST="true")
    assert box.status_code == 200 and 'id="share-url"' in box.content.decode()
    box = client.post(reverse("conversation-share-revoke", args=[conversation.pk]), HTTP_HX_REQUEST="true")
    assert "Create a read-only link" in box.content.decode()


def test_only_the_owner_can_create_or_revoke(client, results):
    alice = UserFactory()
    theirs = _conversation(results, user=alice)
    share, _ = services.share_create(conversation=theirs)
    for name in ("conversation-share-create", "conversation-share-revoke"):
        assert client.post(reverse(name, args=[theirs.pk])).status_code == 404
    client.force_login(UserFactory())
    for name in ("conversation-share-create", "conversation-share-revoke"):
        assert client.post(reverse(name, args=[theirs.pk])).status_code == 404
    share.refresh_from_db()
    assert share.is_active and ConversationShare.objects.count() == 1
    assert client.get(reverse("conversation-share-create", args=[theirs.pk])).status_code == 405


def test_unknown_malformed_and_deleted_links_are_404(client, results):
    assert client.get(reverse("conversation-shared", args=["nope"])).status_code == 404
    assert client.get(reverse("conversation-shared", args=["x" * 200])).status_code == 404
    conversation = _conversation(results, session_key="s")
    share, _ = services.share_create(conversation=conversation)
    services.conversation_delete(conversation=conversation)
    assert client.get(reverse("conversation-shared", args=[share.token])).status_code == 404


def test_a_pending_answer_on_a_shared_page_does_not_poll(client, results):
    conversation = _conversation(results, session_key="s")
    Message.objects.filter(conversation=conversation, role="assistant").update(answer_status="pending", answer_data={})
    share, _ = services.share_create(conversation=conversation)
    body = client.get(reverse("conversation-shared", args=[share.token])).content.decode()
    assert "still being written" in body
    assert "hx-get" not in body and "data-stream-url" not in body


# --- API ---


def test_api_create_list_revoke_for_the_owner(client, results):
    alice = UserFactory()
    conversation = _conversation(results, user=alice)
    client.force_login(alice)
    url = reverse("api-conversation-shares", args=[conversation.pk])
    created = client.post(url)
    assert created.status_code == 201
    data = created.json()
    assert data["active"] and data["revoked_at"] is None
    assert data["url"].endswith(reverse("conversation-shared", args=[data["token"]]))
    assert data["url"].startswith("http")
    again = client.post(url)
    assert again.status_code == 200 and again.json()["token"] == data["token"]
    assert [s["token"] for s in client.get(url).json()] == [data["token"]]

    detail = reverse("api-conversation-share-detail", args=[conversation.pk, data["token"]])
    assert client.delete(detail).status_code == 204
    assert client.delete(detail).status_code == 404
    listed = client.get(url).json()
    assert listed[0]["active"] is False and listed[0]["revoked_at"]
    assert client.get(reverse("conversation-shared", args=[data["token"]])).status_code == 404


def test_api_is_owner_only(client, results):
    alice, bob = UserFactory(), UserFactory()
    conversation = _conversation(results, user=alice)
    share, _ = services.share_create(conversation=conversation)
    url = reverse("api-conversation-shares", args=[conversation.pk])
    detail = reverse("api-conversation-share-detail", args=[conversation.pk, share.token])
    for who in (None, bob):
        if who:
            client.force_login(who)
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
        assert client.delete(detail).status_code == 404
    share.refresh_from_db()
    assert share.is_active


def test_api_anonymous_owner_by_session(client, results):
    conversation = _own(client, results)
    url = reverse("api-conversation-shares", args=[conversation.pk])
    assert client.post(url).status_code == 201
    assert len(client.get(url).json()) == 1


def test_share_endpoints_are_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/conversations/{conversation_id}/shares"])
    assert "delete" in paths["/api/conversations/{conversation_id}/shares/{token}"]
    assert "ConversationShare" in schema["components"]["schemas"]


def test_the_share_box_arrives_with_the_first_turn(client):
    response = client.post(reverse("chat-send"), {"message": "hello there"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="share"' in body and 'hx-swap-oob="true"' in body
    conversation = Conversation.objects.get()
    assert reverse("conversation-share-create", args=[conversation.pk]) in body
