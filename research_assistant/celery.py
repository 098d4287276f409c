"""The Celery app: created once, configured from Django settings (CELERY_ namespace)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "research_assistant.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

app = Celery("research_assistant")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic schedules live here, in one place.
app.conf.beat_schedule = {}


@app.task(name="research_assistant.ping")
def ping() -> str:
    """Round-trip probe used by health checks and tests."""
    return "pong"
