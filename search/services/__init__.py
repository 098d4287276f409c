"""Search services: hybrid search with filters, facets and a versioned result cache; similar datasets.

Modules: ``validation`` (request and filter checks), ``retrieval`` (one uncached search: filter mask,
``search.ranking.pipeline``, sort, page), ``results`` (hits, facets, the response), ``cache`` (result
cache, query statistics, re-warming) and ``hybrid`` (the entry points). The lifecycle services
(``datasets_changed``, ``index_ensure``, ``index_health``, ...) live in ``search.indexing`` and
``search.reindex`` and are re-exported here, where the contract names them.
"""

from __future__ import annotations

from search.indexing import embeddings_update, index_ensure, index_health, index_rebuild
from search.reindex import datasets_changed
from search.services.cache import cache_key, query_record, search_cache_rewarm
from search.services.facets import FACET_NAMES, UPDATED_CHOICES
from search.services.hybrid import search, search_warm_up, similar_datasets
from search.services.results import SearchHit, SearchResponse, scores_are_weak
from search.services.validation import (
    EXCLUDE_FILTERS,
    FACET_ONLY_FILTERS,
    FILTER_NAMES,
    MAX_PAGE,
    MAX_QUERY_CHARS,
    MULTI_FILTERS,
    SORTS,
    UNDATED_CHOICES,
    SearchValidationError,
    filters_clean,
    normalise_query,
)

__all__ = [
    "EXCLUDE_FILTERS",
    "FACET_NAMES",
    "FACET_ONLY_FILTERS",
    "UPDATED_CHOICES",
    "FILTER_NAMES",
    "MAX_PAGE",
    "MAX_QUERY_CHARS",
    "MULTI_FILTERS",
    "SORTS",
    "UNDATED_CHOICES",
    "SearchHit",
    "SearchResponse",
    "SearchValidationError",
    "cache_key",
    "datasets_changed",
    "embeddings_update",
    "filters_clean",
    "index_ensure",
    "index_health",
    "index_rebuild",
    "normalise_query",
    "query_record",
    "search",
    "search_cache_rewarm",
    "search_warm_up",
    "scores_are_weak",
    "similar_datasets",
]
