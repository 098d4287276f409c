"""Housekeeping tasks of the operations app (scheduled in research_assistant/celery.py)."""

from __future__ import annotations

import logging
from importlib import import_module

from celery import shared_task
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(name="ops.sessions_clear", acks_late=True, time_limit=600)
def sessions_clear() -> int:
    """Delete expired sessions (what ``manage.py clearsessions`` does); returns how many rows went.

    Safe to run twice: the second run finds nothing to delete.
    """
    before = Session.objects.filter(expire_date__lt=timezone.now()).count() if _database_sessions() else 0
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    logger.info("expired sessions cleared: %d", before)
    return before


def _database_sessions() -> bool:
    return settings.SESSION_ENGINE in ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db")
