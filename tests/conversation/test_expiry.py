"""Idle conversations expire: the next message starts a new conversation."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from conversation import selectors
from conversation.models import Conversation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def test_idle_conversation_expires_and_a_new_one_starts(catalog, settings):
    settings.CONVERSATION_IDLE_EXPIRY_SECONDS = 3600
    client = APIClient()
    carol = UserFactory(username="carol")
    client.force_authenticate(carol)
    with time_machine.travel(START, tick=False) as traveller:
        cid = client.post("/api/conversation", {"message": "rainfall"}, format="json").json()["conversation_id"]

        traveller.shift(dt.timedelta(minutes=59))
        again = client.post("/api/conversation", {"message": "only CSV", "conversation_id": cid}, format="json")
        assert again.json()["conversation_id"] == cid
        assert again.json()["intent"] == "refine"

        traveller.shift(dt.timedelta(minutes=61))  # idle for over an hour since the last message
        assert selectors.conversation_latest_active(user=carol, session_key=None) is None
        later = client.post("/api/conversation", {"message": "only CSV", "conversation_id": cid}, format="json")
        new_id = later.json()["conversation_id"]
        assert new_id != cid
        # The new conversation has no previous search, so "only CSV" cannot refine anything.
        assert later.json()["intent"] != "refine"
        assert Conversation.objects.get(pk=new_id).messages.count() == 2

        listing = client.get("/api/conversations").json()
        assert [c["id"] for c in listing] == [new_id, cid]
        assert [c["expired"] for c in listing] == [False, True]
        assert Conversation.objects.get(pk=cid).messages.count() == 4  # the old one is kept, unchanged
