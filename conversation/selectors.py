"""Reads for conversations, messages and search history, always scoped to their owner.

The owner is the logged-in user, or for anonymous visitors the session key. Anything that does not
belong to the caller is simply not found (the API turns that into a 404).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from activity.services import Owner

from .models import Conversation, ConversationShare, Message


def _owner_q(*, user, session_key: str | None, prefix: str = "") -> Q:
    return Owner.of(user=user, session_key=session_key).q(prefix)


def conversation_list(*, user, session_key: str | None) -> QuerySet[Conversation]:
    return (
        Conversation.objects.filter(_owner_q(user=user, session_key=session_key))
        .annotate(message_count=Count("messages"))
        .order_by("-last_activity_at")
    )


def conversation_get(*, conversation_id, user, session_key: str | None) -> Conversation:
    """The caller's conversation; raises Conversation.DoesNotExist for any other id."""
    return Conversation.objects.filter(_owner_q(user=user, session_key=session_key)).get(pk=conversation_id)


def conversation_with_request(*, request_id: str, user, session_key: str | None) -> Conversation | None:
    """The caller's conversation that already holds a message sent with ``request_id`` (a retried first
    turn, sent before the client knew its conversation id), or None."""
    if not request_id:
        return None
    return (
        Conversation.objects.filter(_owner_q(user=user, session_key=session_key))
        .filter(messages__request_id=request_id)
        .first()
    )


def conversation_is_expired(conversation: Conversation, *, now=None) -> bool:
    now = now or timezone.now()
    return conversation.last_activity_at < now - timedelta(seconds=settings.CONVERSATION_IDLE_EXPIRY_SECONDS)


def conversation_latest_active(*, user, session_key: str | None) -> Conversation | None:
    """The caller's most recent conversation that has not idled out (for pages that resume a chat)."""
    cutoff = timezone.now() - timedelta(seconds=settings.CONVERSATION_IDLE_EXPIRY_SECONDS)
    return (
        Conversation.objects.filter(_owner_q(user=user, session_key=session_key), last_activity_at__gte=cutoff)
        .order_by("-last_activity_at")
        .first()
    )


def conversation_messages(*, conversation: Conversation) -> QuerySet[Message]:
    return conversation.messages.order_by("created_at", "id")


def conversation_context(*, conversation: Conversation, before_id: int | None = None) -> list[str]:
    """The user's earlier messages (at most CONVERSATION_CONTEXT_TURNS turns), oldest first."""
    messages = conversation.messages.filter(role=Message.Role.USER)
    if before_id is not None:
        messages = messages.filter(id__lt=before_id)
    recent = messages.order_by("-created_at", "-id").values_list("content", flat=True)[
        : settings.CONVERSATION_CONTEXT_TURNS
    ]
    return list(reversed(recent))


def message_get(*, message_id: int, user, session_key: str | None) -> Message:
    """An assistant message in one of the caller's conversations; raises Message.DoesNotExist otherwise."""
    return Message.objects.select_related("conversation").get(
        _owner_q(user=user, session_key=session_key, prefix="conversation__"),
        pk=message_id,
        role=Message.Role.ASSISTANT,
    )


def answer_find(*, message_id, owner: Owner) -> Message | None:
    """An assistant message in one of ``owner``'s conversations (for feedback), or None."""
    if not str(message_id or "").isdigit():
        return None
    return Message.objects.filter(owner.q("conversation__"), pk=int(message_id), role=Message.Role.ASSISTANT).first()


def share_list(*, conversation: Conversation) -> QuerySet[ConversationShare]:
    """The conversation's links, active and revoked, newest first (the caller checked ownership)."""
    return conversation.shares.order_by("-created_at", "-id")


def share_active(*, conversation: Conversation) -> ConversationShare | None:
    return conversation.shares.filter(revoked_at__isnull=True).first()


def share_get_active(*, token: str) -> ConversationShare:
    """The active link with this token, its conversation joined; raises DoesNotExist otherwise
    (unknown, malformed or revoked token, or a deleted conversation)."""
    if not token or len(token) > 64:
        raise ConversationShare.DoesNotExist
    return ConversationShare.objects.select_related("conversation").get(token=token, revoked_at__isnull=True)
