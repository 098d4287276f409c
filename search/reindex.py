"""Re-indexing after catalog changes: ``datasets_changed`` queues, once the transaction commits, a
chain of ``search.embed_datasets`` tasks (batches on the "embeddings" queue) and one
``search.index_changes`` task, which logs the datasets for every process to lay over its index version
(``search.index.delta``: searchable within about a second, no build) and queues ``search.index_rebuild``
when a full build is due (no version yet, or enough changes pending: compaction). In the embedded default
the same chain runs eagerly, in-process.

The tasks live here, beside the function that queues them (``search.tasks`` imports them for Celery's
autodiscovery), so the services can name ``datasets_changed`` without importing every task.
"""

from __future__ import annotations

import logging

from celery import chain, shared_task
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from search import indexing
from search.index.versions import index_refresh_if_loaded

logger = logging.getLogger(__name__)

EMBED_TASK_BATCH = 256


@shared_task(name="search.embed_datasets", queue="embeddings", max_retries=3, default_retry_delay=10, acks_late=True)
def embed_datasets(dataset_ids: list[int]) -> int:
    """Embed one batch of datasets (skipping those whose embedding is current)."""
    return indexing.embeddings_update(dataset_ids=dataset_ids)


@shared_task(
    bind=True, name="search.index_rebuild", queue="embeddings", max_retries=60, default_retry_delay=2, acks_late=True
)
def index_rebuild(self, requested_at: str | None = None) -> int | None:
    """Publish a new index version unless one built after ``requested_at`` exists already.

    One rebuild at a time (a cache lock); a task that finds the lock taken retries shortly after.
    """
    when = parse_datetime(requested_at) if requested_at else None
    if not indexing.rebuild_lock_acquire():
        raise self.retry()
    try:
        return indexing.index_rebuild(requested_at=when)
    finally:
        indexing.rebuild_lock_release()


@shared_task(name="search.index_changes", queue="embeddings", max_retries=3, default_retry_delay=5, acks_late=True)
def index_changes(dataset_ids: list[int]) -> dict:
    """Log embedded datasets as index changes; queue a full build when one is due."""
    report = indexing.index_changes_log(dataset_ids=dataset_ids)
    if report["build"]:
        index_rebuild.delay(timezone.now().isoformat())
    else:
        index_refresh_if_loaded()
    return report


def datasets_changed(*, dataset_ids) -> None:
    """Schedule re-embedding of these datasets and an index rebuild, once the transaction commits."""
    ids = sorted({int(i) for i in dataset_ids})
    if not ids:
        return
    transaction.on_commit(lambda: _enqueue(ids))


def _enqueue(ids: list[int]) -> None:
    steps = [
        embed_datasets.si(ids[i : i + EMBED_TASK_BATCH]).set(queue="embeddings")
        for i in range(0, len(ids), EMBED_TASK_BATCH)
    ]
    steps.append(index_changes.si(ids).set(queue="embeddings"))
    try:
        chain(*steps).apply_async()
    except Exception:  # a broker outage must not fail the curator's save; index_ensure catches up
        logger.exception("could not queue re-embedding of %s datasets", len(ids))
