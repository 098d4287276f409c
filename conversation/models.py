from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Conversation(models.Model):
    """A chat, owned by a user or (anonymous) by a session key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="conversations"
    )
    session_key = models.CharField(max_length=64, blank=True, db_index=True)
    title = models.CharField(max_length=200, blank=True)
    # The last search of the conversation (query, filters, page, sort, result ids): refinements merge into it.
    state = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-last_activity_at"]
        constraints = [
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(session_key=""), name="conversation_has_owner")
        ]

    def __str__(self) -> str:
        return self.title or str(self.id)


class Message(models.Model):
    class Role(models.TextChoices):
        USER = "user", "User"
        ASSISTANT = "assistant", "Assistant"

    class AnswerStatus(models.TextChoices):
        NONE = "none", "No answer needed"
        PENDING = "pending", "Pending"
        READY = "ready", "Ready"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=16, choices=Role.choices)
    intent = models.CharField(max_length=32, blank=True)
    content = models.TextField()
    # Search snapshot for assistant turns: query, filters and the result dicts shown.
    search = models.JSONField(default=dict, blank=True)
    answer = models.TextField(blank=True)
    answer_status = models.CharField(max_length=16, choices=AnswerStatus.choices, default=AnswerStatus.NONE)
    answer_provider = models.CharField(max_length=64, blank=True)
    # The structured answer: summary, picks (result ids only), external "search elsewhere" links.
    answer_data = models.JSONField(default=dict, blank=True)
    # The client's id for the request that sent a user message: a retry with the same id replays the turn.
    request_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"], name="message_conversation_created")]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "request_id"], condition=~Q(request_id=""), name="message_request_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.content[:50]}"


class ConversationShare(models.Model):
    """A read-only link to a conversation: whoever has the token may read it until it is revoked.

    At most one link per conversation is active (a partial unique constraint); a revoked link
    stays as a record and never works again.
    """

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="shares")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation"], condition=Q(revoked_at__isnull=True), name="conversation_share_one_active"
            ),
            models.CheckConstraint(condition=~Q(token=""), name="conversation_share_has_token"),
        ]

    def __str__(self) -> str:
        return f"share of {self.conversation_id} ({'active' if self.is_active else 'revoked'})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
