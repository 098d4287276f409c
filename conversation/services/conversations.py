"""Conversations: find or start one, delete one, adopt an anonymous visitor's after login."""

from __future__ import annotations

from activity.services import activity_adopt
from conversation import selectors
from conversation.models import Conversation


class ConversationNotFound(Exception):
    pass


def conversation_get_or_create(
    *, user, session_key: str | None, conversation_id=None, request_id: str = ""
) -> Conversation:
    """The caller's conversation ``conversation_id``, or a new one.

    Raises ConversationNotFound for an id that is not the caller's. A conversation idle for longer
    than CONVERSATION_IDLE_EXPIRY_SECONDS is not resumed: a new one is started instead. Without an id,
    a ``request_id`` the caller already used finds the conversation that request started (a retry).
    """
    owner_user = user if user is not None and user.is_authenticated else None
    if owner_user is None and not session_key:
        raise ValueError("an anonymous conversation needs a session key")
    if conversation_id is None and (
        retried := selectors.conversation_with_request(request_id=request_id, user=user, session_key=session_key)
    ):
        return retried
    if conversation_id is not None:
        try:
            conversation = selectors.conversation_get(
                conversation_id=conversation_id, user=user, session_key=session_key
            )
        except (Conversation.DoesNotExist, ValueError) as exc:
            raise ConversationNotFound(str(conversation_id)) from exc
        if not selectors.conversation_is_expired(conversation):
            return conversation
    return Conversation.objects.create(user=owner_user, session_key="" if owner_user else session_key)


def conversation_delete(*, conversation: Conversation) -> None:
    """Assumes the caller owns the conversation (selectors.conversation_get checked it)."""
    conversation.delete()


def conversations_adopt(*, user, session_key: str | None) -> int:
    """Give a visitor who just logged in the conversations and history of their anonymous session."""
    if not session_key or user is None or not user.is_authenticated:
        return 0
    moved = Conversation.objects.filter(user__isnull=True, session_key=session_key).update(user=user, session_key="")
    activity_adopt(user=user, session_key=session_key)
    return moved
