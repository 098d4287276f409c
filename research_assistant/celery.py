"""The Celery app: created once, configured from Django settings (CELERY_ namespace)."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

from ops import logging as ops_logging
from ops import metrics as ops_metrics

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "research_assistant.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

app = Celery("research_assistant")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Metrics (task outcomes) and request-id propagation into tasks.
ops_metrics.connect_celery_signals()
ops_logging.connect_celery_signals()

# Periodic schedules live here, in one place.
app.conf.beat_schedule = {
    # Re-check the stalest links every hour (LINK_CHECK_BATCH_SIZE datasets per run).
    "catalog-links-check": {
        "task": "catalog.links_check",
        "schedule": crontab(minute=17),
        "kwargs": {"stale_only": True},
        "options": {"expires": 3000},
    },
    # Freshness is part of the quality score: recompute it daily so scores follow the calendar.
    "catalog-quality-recompute": {
        "task": "catalog.quality_recompute",
        "schedule": crontab(minute=41, hour=3),
        "options": {"expires": 3600},
    },
    # Data previews: queue a batch of missing or stale ones (PREVIEW_BATCH_SIZE) every ten minutes.
    "catalog-previews-refresh": {
        "task": "catalog.previews_refresh",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 540},
    },
    # Expired sessions are deleted (Django never does it by itself; anonymous visitors make many).
    "ops-sessions-clear": {
        "task": "ops.sessions_clear",
        "schedule": crontab(minute=23, hour=4),
        "options": {"expires": 3600},
    },
    # Turns whose answer task was lost (a worker killed with it, a broker outage) get the built-in answer.
    "conversation-answers-sweep": {
        "task": "conversation.answers_sweep",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    # An index that fell behind the catalog (a rebuild whose worker died, a change queued while the
    # broker was down) is rebuilt; a no-op while it is current or a build holds the lock.
    "search-index-catch-up": {
        "task": "search.index_catch_up",
        "schedule": 30.0,
        "options": {"expires": 25, "queue": "embeddings"},
    },
    # Saved searches still due after catalog changes (their debounced run was lost); a no-op otherwise.
    "search-saved-searches-sweep": {
        "task": "search.saved_searches_sweep",
        "schedule": 600.0,
        "options": {"expires": 500},
    },
    # The saved-search e-mail digest: checked hourly, sent per user at most once per
    # SAVED_SEARCH_DIGEST_EVERY_HOURS (the frequency setting).
    "search-saved-digests-send": {
        "task": "search.saved_digests_send",
        "schedule": crontab(minute=7),
        "options": {"expires": 3000},
    },
    # After an index version change, refill the search cache with the most frequent recent queries.
    "search-cache-rewarm": {
        "task": "search.cache_rewarm",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}


@app.task(name="research_assistant.ping")
def ping() -> str:
    """Round-trip probe used by health checks and tests."""
    return "pong"
