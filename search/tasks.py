"""Celery tasks for the search index: thin wrappers over search.indexing / search.services."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils.dateparse import parse_datetime

logger = logging.getLogger(__name__)


@shared_task(name="search.embed_datasets", queue="embeddings", max_retries=3, default_retry_delay=10, acks_late=True)
def embed_datasets(dataset_ids: list[int]) -> int:
    """Embed one batch of datasets (skipping those whose embedding is current)."""
    from search.indexing import embeddings_update

    return embeddings_update(dataset_ids=dataset_ids)


@shared_task(
    bind=True, name="search.index_rebuild", queue="embeddings", max_retries=60, default_retry_delay=2, acks_late=True
)
def index_rebuild(self, requested_at: str | None = None) -> int | None:
    """Publish a new index version unless one built after ``requested_at`` exists already.

    One rebuild at a time (a cache lock); a task that finds the lock taken retries shortly after.
    """
    from search.indexing import index_rebuild as rebuild
    from search.indexing import rebuild_lock_acquire, rebuild_lock_release

    when = parse_datetime(requested_at) if requested_at else None
    if not rebuild_lock_acquire():
        raise self.retry()
    try:
        return rebuild(requested_at=when)
    finally:
        rebuild_lock_release()


@shared_task(name="search.cache_rewarm", queue="default", expires=120)
def cache_rewarm() -> int:
    """After an index version change, re-run the most frequent recent queries to refill the cache."""
    from search.services import search_cache_rewarm

    return search_cache_rewarm()
