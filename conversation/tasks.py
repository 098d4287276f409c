"""Celery tasks for conversations: thin wrappers that take ids and call a service."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from conversation.answering import answer_fallback, answer_generate

logger = logging.getLogger(__name__)


@shared_task(name="conversation.answer_generate", acks_late=True, max_retries=0, soft_time_limit=60, time_limit=90)
def answer_generate_task(message_id: int) -> bool:
    """Write the grounded answer for one assistant message. Keyed by the message id: running it
    twice posts once (the store is a conditional UPDATE on answer_status="pending")."""
    try:
        return answer_generate(message_id=message_id)
    except SoftTimeLimitExceeded:
        logger.warning("answer for message %s hit the time limit; using the built-in responder", message_id)
        return answer_fallback(message_id=message_id)
