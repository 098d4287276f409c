"""Read-only links to a conversation: create (or reuse) one, revoke it.

The token is the only secret: ``secrets.token_urlsafe`` (192 random bits), unique in the table.
Callers check ownership first (``selectors.conversation_get``); reading a shared conversation
goes through ``selectors.share_get_active``.
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from conversation.models import Conversation, ConversationShare

TOKEN_BYTES = 24  # 32 URL-safe characters


def share_create(*, conversation: Conversation) -> tuple[ConversationShare, bool]:
    """The conversation's active link, creating one if there is none; returns (share, created).

    Assumes the caller owns the conversation. Safe under concurrent calls: the partial unique
    constraint allows one active link, and the loser of a race gets the winner's.
    """
    existing = conversation.shares.filter(revoked_at__isnull=True).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            share = ConversationShare.objects.create(
                conversation=conversation, token=secrets.token_urlsafe(TOKEN_BYTES)
            )
    except IntegrityError:
        return conversation.shares.get(revoked_at__isnull=True), False
    return share, True


def share_revoke(*, conversation: Conversation, token: str | None = None) -> int:
    """Revoke the conversation's active link (or the one with ``token``); returns how many were.

    Assumes the caller owns the conversation. A conditional UPDATE: revoking twice is a no-op.
    """
    shares = conversation.shares.filter(revoked_at__isnull=True)
    if token is not None:
        shares = shares.filter(token=token)
    return shares.update(revoked_at=timezone.now())
