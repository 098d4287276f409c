"""Re-indexing after catalog changes: ``datasets_changed`` queues, once the transaction commits, a
chain of ``search.embed_datasets`` tasks (batches on the "embeddings" queue) and one
``search.index_rebuild`` task; the rebuild publishes a new version that every web process reloads
within about a second. In the embedded default the same chain runs eagerly, in-process.

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


def datasets_changed(*, dataset_ids) -> None:
    """Schedule re-embedding of these datasets and an index rebuild, once the transaction commits."""
    ids = sorted({int(i) for i in dataset_ids})
    if not ids:
        return
    transaction.on_commit(lambda: _enqueue(ids))


def _enqueue(ids: list[int]) -> None:
    requested_at = timezone.now().isoformat()
    steps = [
        embed_datasets.si(ids[i : i + EMBED_TASK_BATCH]).set(queue="embeddings")
        for i in range(0, len(ids), EMBED_TASK_BATCH)
    ]
    steps.append(index_rebuild.si(requested_at).set(queue="embeddings"))
    try:
        chain(*steps).apply_async()
    except Exception:  # a broker outage must not fail the curator's save; index_ensure catches up
        logger.exception("could not queue re-embedding of %s datasets", len(ids))
