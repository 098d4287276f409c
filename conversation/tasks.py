"""Celery tasks for conversations: thin wrappers that take ids and call a service."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from conversation.answering import answer_fallback, answer_generate, answers_sweep

logger = logging.getLogger(__name__)


@shared_task(
    bind=True, name="conversation.answer_generate", acks_late=True, max_retries=0, soft_time_limit=60, time_limit=90
)
def answer_generate_task(self, message_id: int) -> bool:
    """Write the grounded answer for one assistant message. Keyed by the message id: running it
    twice posts once (the store is a conditional UPDATE on answer_status="pending")."""
    # Run eagerly the task is part of the request that stored the turn: no pause there, the
    # answer is complete before the page can read it anyway.
    pace = 0.0 if self.request.is_eager else settings.ANSWER_STREAM_PACE_SECONDS
    try:
        return answer_generate(message_id=message_id, pace_seconds=pace)
    except SoftTimeLimitExceeded:
        logger.warning("answer for message %s hit the time limit; using the built-in responder", message_id)
        return answer_fallback(message_id=message_id)


@shared_task(name="conversation.answers_sweep", acks_late=True, max_retries=0, soft_time_limit=120, time_limit=180)
def answers_sweep_task() -> int:
    """Beat: answer turns left pending (a lost task, a broker outage) with the built-in responder."""
    return answers_sweep()
