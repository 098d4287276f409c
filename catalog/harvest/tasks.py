"""The harvest Celery task (thin: load by id, call the service). Registered via catalog.tasks."""

from __future__ import annotations

from functools import partial

from celery import shared_task
from django.conf import settings
from django.db import transaction


@shared_task(
    name="catalog.harvest_source",
    soft_time_limit=settings.HARVEST_SOFT_TIME_LIMIT,
    time_limit=settings.HARVEST_SOFT_TIME_LIMIT + 300,
)
def harvest_source_task(source_id: int, trigger: str = "schedule", full: bool = False) -> dict:
    from .service import harvest_run

    run = harvest_run(source_id=source_id, trigger=trigger, full=full)
    if run is None:
        return {"skipped": True}
    return {"run": run.pk, "status": run.status, **run.counts()}


def harvest_enqueue(*, source_ids: list[int], trigger: str, full: bool = False) -> None:
    """Queue one run per source once the current transaction commits (eager mode: runs then)."""
    for source_id in source_ids:
        transaction.on_commit(partial(harvest_source_task.delay, source_id=source_id, trigger=trigger, full=full))
