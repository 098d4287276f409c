"""Catalog background tasks (thin: parse arguments, call the service)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from catalog.harvest.tasks import harvest_source_task  # noqa: F401 - registered for Celery's autodiscovery
from catalog.linkcheck import links_check
from catalog.services import quality_recompute

logger = logging.getLogger(__name__)

_LINKS_LOCK = "catalog:links_check:lock"
_LINKS_SOFT_LIMIT = 1800


@shared_task(name="catalog.links_check", soft_time_limit=_LINKS_SOFT_LIMIT, time_limit=_LINKS_SOFT_LIMIT + 120)
def links_check_task(limit: int | None = None, stale_only: bool = True, dataset_ids: list[int] | None = None) -> dict:
    """Periodic link check (beat, hourly): the LINK_CHECK_BATCH_SIZE stalest datasets by default.

    One run at a time across workers (a cache lock); an overlapping run returns at once.
    """
    if not cache.add(_LINKS_LOCK, 1, timeout=_LINKS_SOFT_LIMIT + 120):
        logger.info("link check already running; skipped")
        return {"skipped": True}
    try:
        report = links_check(
            limit=limit or (None if dataset_ids else settings.LINK_CHECK_BATCH_SIZE),
            stale_only=stale_only,
            dataset_ids=dataset_ids,
        )
    finally:
        cache.delete(_LINKS_LOCK)
    return report.to_dict()


@shared_task(name="catalog.quality_recompute", soft_time_limit=600, time_limit=720)
def quality_recompute_task() -> dict:
    """Daily: freshness is part of the quality score, so scores drift as time passes."""
    return {"changed": quality_recompute()}
