"""Catalog signals the search index follows (connected in ``SearchConfig.ready()``)."""

from __future__ import annotations

from django.dispatch import receiver

from catalog.signals import datasets_changed

from . import reindex
from .saved import matching as saved_matching


@receiver(datasets_changed, dispatch_uid="search.index_follows_catalog")
def index_follows_catalog(sender, *, dataset_ids, **kwargs) -> None:
    reindex.datasets_changed(dataset_ids=dataset_ids)


@receiver(datasets_changed, dispatch_uid="search.saved_searches_follow_catalog")
def saved_searches_follow_catalog(sender, *, dataset_ids, **kwargs) -> None:
    # Connected after the index's receiver: in eager mode its rebuild runs first on commit.
    saved_matching.saved_searches_schedule(dataset_ids=dataset_ids)
