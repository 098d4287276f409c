"""What people did: searches they ran and their votes on results and answers.

This app sits below search and conversation (both write here) and above the catalog. The foreign
keys to conversation rows are declared by name only: no Python module here imports an app above.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class SearchHistory(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="search_history"
    )
    session_key = models.CharField(max_length=64, blank=True, db_index=True)
    conversation = models.ForeignKey(
        "conversation.Conversation", on_delete=models.SET_NULL, null=True, blank=True, related_name="searches"
    )
    query = models.CharField(max_length=500)
    filters = models.JSONField(default=dict, blank=True)
    result_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "search history"
        db_table = "conversation_searchhistory"  # the table predates this app

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
    message = models.ForeignKey("conversation.Message", on_delete=models.CASCADE, null=True, blank=True, related_name="feedback")
    query = models.CharField(max_length=500, blank=True)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    value = models.SmallIntegerField(help_text="+1 thumbs up, -1 thumbs down")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "feedback"
        db_table = "conversation_feedback"  # the table predates this app
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
