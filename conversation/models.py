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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"], name="message_conversation_created")]

    def __str__(self) -> str:
        return f"{self.role}: {self.content[:50]}"


class SearchHistory(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="search_history"
    )
    session_key = models.CharField(max_length=64, blank=True, db_index=True)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.SET_NULL, null=True, blank=True, related_name="searches"
    )
    query = models.CharField(max_length=500)
    filters = models.JSONField(default=dict, blank=True)
    result_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "search history"

    def __str__(self) -> str:
        return self.query


class Feedback(models.Model):
    """Thumbs up/down on a search result or an AI answer: training data for ranking."""

    class Target(models.TextChoices):
        RESULT = "result", "Search result"
        ANSWER = "answer", "AI answer"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="feedback"
    )
    session_key = models.CharField(max_length=64, blank=True)
    target = models.CharField(max_length=16, choices=Target.choices)
    dataset = models.ForeignKey(
        "catalog.Dataset", on_delete=models.CASCADE, null=True, blank=True, related_name="feedback"
    )
    message = models.ForeignKey(Message, on_delete=models.CASCADE, null=True, blank=True, related_name="feedback")
    query = models.CharField(max_length=500, blank=True)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    value = models.SmallIntegerField(help_text="+1 thumbs up, -1 thumbs down")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "feedback"
        constraints = [
            models.CheckConstraint(condition=Q(value__in=[-1, 1]), name="feedback_value_pm1"),
            models.CheckConstraint(
                condition=(Q(target="result") & Q(dataset__isnull=False))
                | (Q(target="answer") & Q(message__isnull=False)),
                name="feedback_target_matches",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target} {self.value:+d}"
