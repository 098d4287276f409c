"""Catalog background tasks (thin: parse arguments, call the service)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from catalog.harvest.tasks import harvest_source_task  # noqa: F401 - registered for Celery's autodiscovery
from catalog.linkcheck import links_check
from catalog.previews import preview_refresh, previews_queue
from catalog.services import quality_recompute

logger = logging.getLogger(__name__)

_LINKS_LOCK = "catalog:links_check:lock"
_LINKS_SOFT_LIMIT = 1800


@shared_task(name="catalog.links_check", soft_time_limit=_LINKS_SOFT_LIMIT, time_limit=_LINKS_SOFT_LIMIT + 120)
def links_check_task(
    limit: int | None = None,
    stale_only: bool = True,
    dataset_ids: list[int] | None = None,
    deadline_seconds: float | None = None,
) -> dict:
    """Periodic link check (beat, hourly): the LINK_CHECK_BATCH_SIZE stalest datasets by default.
    Also the first check after bootstrap and the admin's "check links now" (``dataset_ids``).

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
            deadline=deadline_seconds or _LINKS_SOFT_LIMIT - 60,
        )
    finally:
        cache.delete(_LINKS_LOCK)
    return report.to_dict()


@shared_task(name="catalog.quality_recompute", soft_time_limit=600, time_limit=720)
def quality_recompute_task() -> dict:
    """Daily: freshness is part of the quality score, so scores drift as time passes."""
    return {"changed": quality_recompute()}


def links_check_queue(*, dataset_ids: list[int] | None = None, first: bool = False) -> None:
    """Queue a link check once the current transaction commits: of ``dataset_ids`` (the admin's
    "check links now"), or with ``first`` the bounded first check of a freshly loaded catalog
    (LINK_CHECK_BOOTSTRAP_LIMIT never-checked datasets within LINK_CHECK_BOOTSTRAP_SECONDS)."""
    if first:
        kwargs = {
            "limit": settings.LINK_CHECK_BOOTSTRAP_LIMIT,
            "stale_only": True,
            "deadline_seconds": settings.LINK_CHECK_BOOTSTRAP_SECONDS,
        }
    else:
        kwargs = {"dataset_ids": list(dataset_ids or []), "stale_only": False}
    transaction.on_commit(lambda: links_check_task.apply_async(kwargs=kwargs))


# The fetch ends within PREVIEW_DEADLINE_SECONDS; profiling a capped file takes seconds more.
_PREVIEW_SOFT_LIMIT = int(settings.PREVIEW_DEADLINE_SECONDS) + 60


@shared_task(
    name="catalog.preview_refresh",
    queue="previews",
    soft_time_limit=_PREVIEW_SOFT_LIMIT,
    time_limit=_PREVIEW_SOFT_LIMIT + 30,
    acks_late=True,
)
def preview_refresh_task(distribution_id: int, force: bool = False) -> str | None:
    """Make one distribution's preview (its own queue: slow downloads never hold up answers or indexing)."""
    preview = preview_refresh(distribution_id=distribution_id, force=force)
    return preview.status if preview else None


@shared_task(name="catalog.previews_refresh", soft_time_limit=300, time_limit=360)
def previews_refresh_task(limit: int | None = None) -> int:
    """Periodic: queue up to PREVIEW_BATCH_SIZE missing or stale previews."""
    return len(previews_queue(limit=limit or settings.PREVIEW_BATCH_SIZE))
