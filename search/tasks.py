"""Celery tasks for the search index: thin wrappers over search.indexing / search.services.

The re-indexing tasks (``search.embed_datasets``, ``search.index_changes``, ``search.index_rebuild``) are defined in
``search.reindex`` beside ``datasets_changed``, which queues them, and imported here so Celery's
autodiscovery finds them.
"""

from __future__ import annotations

from celery import shared_task

from search import indexing
from search.reindex import embed_datasets, index_changes, index_rebuild
from search.saved.tasks import saved_digests_send, saved_searches_match_task, saved_searches_sweep
from search.services.cache import search_cache_rewarm

__all__ = [
    "cache_rewarm",
    "embed_datasets",
    "index_catch_up",
    "index_changes",
    "index_rebuild",
    "saved_digests_send",
    "saved_searches_match_task",
    "saved_searches_sweep",
]


@shared_task(name="search.cache_rewarm", queue="default", expires=120)
def cache_rewarm() -> int:
    """After an index version change, re-run the most frequent recent queries to refill the cache."""
    return search_cache_rewarm()


@shared_task(name="search.index_catch_up", queue="embeddings", acks_late=True, expires=55)
def index_catch_up() -> dict | None:
    """Beat: rebuild the index when it has fallen behind the catalog (see indexing.index_catch_up)."""
    return indexing.index_catch_up()
