"""Conversation writes: conversations, turns. Views, API views and tasks call these.

Modules: ``conversations`` (find, start, delete, adopt), ``shares`` (read-only links),
``turns`` (one chat turn) and ``delivery`` (a turn's result, its replay for a retried request, queueing
its answer with an in-process fallback). Answers live in ``conversation.answering`` (the Celery task calls
them without importing the turn code).
"""

from __future__ import annotations

from conversation.answering import (
    AiSearchResult,
    ai_search,
    answer_compose,
    answer_fallback,
    answer_generate,
    answer_is_overdue,
    answer_wait,
)
from conversation.services.conversations import (
    ConversationNotFound,
    conversation_delete,
    conversation_get_or_create,
    conversations_adopt,
)
from conversation.services.delivery import (
    TurnResult,
    answer_dispatch,
    request_claim,
    request_id_clean,
    request_id_new,
)
from conversation.services.shares import share_create, share_revoke
from conversation.services.turns import conversation_chip_remove, conversation_turn

__all__ = [
    "AiSearchResult",
    "ConversationNotFound",
    "TurnResult",
    "ai_search",
    "answer_compose",
    "answer_dispatch",
    "answer_fallback",
    "answer_generate",
    "answer_is_overdue",
    "answer_wait",
    "conversation_delete",
    "conversation_get_or_create",
    "conversation_chip_remove",
    "conversation_turn",
    "conversations_adopt",
    "request_claim",
    "request_id_clean",
    "request_id_new",
    "share_create",
    "share_revoke",
]
