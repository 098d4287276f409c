"""Catalog signals the search index follows (connected in ``SearchConfig.ready()``)."""

from __future__ import annotations

from django.dispatch import receiver

from catalog.signals import datasets_changed

from . import reindex


@receiver(datasets_changed, dispatch_uid="search.index_follows_catalog")
def index_follows_catalog(sender, *, dataset_ids, **kwargs) -> None:
    reindex.datasets_changed(dataset_ids=dataset_ids)
