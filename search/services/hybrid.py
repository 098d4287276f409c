"""The search entry points: hybrid search (validated, cached), similar datasets, warm-up."""

from __future__ import annotations

import logging
import time

import numpy as np
from django.conf import settings
from django.core.cache import cache

from catalog.models import Dataset
from search import metrics
from search.embeddings import get_embedder
from search.index.versions import current_index, index_failed
from search.ranking.duplicates import is_near_duplicate
from search.ranking.pipeline import best_positions, dense_similarities
from search.services.cache import cache_key, cache_version, lookup_count, query_record
from search.services.facets import FACET_NAMES
from search.services.results import SearchHit, SearchResponse, hits_for
from search.services.retrieval import search_uncached
from search.services.validation import filters_clean, filters_given, validate_filter_names, validate_request

logger = logging.getLogger(__name__)


def search(
    *,
    query: str,
    filters: dict | None = None,
    top_k: int = 10,
    page: int = 1,
    user=None,
    sort: str = "relevance",
    similar_to: int | None = None,
    record: bool = True,
) -> SearchResponse:
    """Hybrid search over the current index. Raises SearchValidationError for bad input.

    ``record=False`` keeps a machine's search (a saved search's matching run) out of the query
    statistics that pick what the cache re-warms."""
    started = time.perf_counter()
    q, top_k, page, sort, similar_to = validate_request(
        query=query, top_k=top_k, page=page, sort=sort, similar_to=similar_to, browse=filters_given(filters)
    )
    index = current_index()
    if index is None:
        if filters:
            validate_filter_names(filters)
        return SearchResponse(
            results=[],
            facets={name: [] for name in FACET_NAMES},
            total=0,
            page=page,
            took_ms=0.0,
            cached=False,
            query=q,
            filters={},
            top_k=top_k,
        )
    clean = filters_clean(filters, index=index, user=user)
    key = cache_key(
        query=q, filters=clean, top_k=top_k, page=page, sort=sort, similar_to=similar_to, version=cache_version(index)
    )
    data = cache.get(key)
    if data is not None:
        lookup_count(hit=True)
        response = SearchResponse.from_dict(data, took_ms=0.0, cached=True)
    else:
        lookup_count(hit=False)
        try:
            response = search_uncached(
                index, query=q, clean=clean, top_k=top_k, page=page, user=user, sort=sort, similar_to=similar_to
            )
        except (OSError, ValueError, IndexError, KeyError) as exc:  # broken index files, not bad input
            logger.error("search failed inside index v%s (%s); checking it", index.version, exc.__class__.__name__)
            index_failed(index)
            index = current_index(force_check=True)  # verified, rebuilt from the database if it was broken
            if index is None:
                raise
            response = search_uncached(
                index, query=q, clean=filters_clean(filters, index=index, user=user), top_k=top_k, page=page,
                user=user, sort=sort, similar_to=similar_to,
            )  # fmt: skip
        cache.set(key, response.to_dict(), timeout=settings.SEARCH_CACHE_TTL)
    if record and page == 1 and sort == "relevance" and similar_to is None and q:
        query_record(query=q, filters=clean)
    seconds = time.perf_counter() - started
    response.took_ms = round(seconds * 1000, 2)
    metrics.observe_search(seconds=seconds, cached=response.cached)
    return response


def similar_datasets(*, dataset_id: int, top_k: int = 5, user=None) -> list[SearchHit]:
    """Nearest neighbours of a dataset by embedding, without itself or near-duplicates of it (or of
    each other). Raises Dataset.DoesNotExist when the user may not see the dataset."""
    Dataset.objects.visible_to(user).only("pk").get(pk=dataset_id)
    index = current_index()
    if index is None or dataset_id not in index.position:
        return []
    top_k = max(1, min(int(top_k), settings.SEARCH_MAX_TOP_K))
    pos = index.position[dataset_id]
    vector = np.asarray(index.embeddings[pos], dtype=np.float32)
    mask = index.active.copy()
    mask[pos] = False
    sims = dense_similarities(index.embeddings, vector, mask)  # the approximate index past its threshold
    family = int(index.family[pos])
    if family > 0:
        mask[index.family_members.get(family, [])] = False  # its own family is not "similar"
    ranked = best_positions(sims, mask, top_k * 4 + 20, floor=-1.0).tolist()
    chosen: list[int] = []
    families_seen: set[int] = set()
    for j in ranked:
        if index.family[j] > 0:
            if int(index.family[j]) in families_seen:
                continue
            families_seen.add(int(index.family[j]))
        if is_near_duplicate(index.titles[pos], index.titles[j], float(sims[j])):
            continue
        if any(
            is_near_duplicate(index.titles[c], index.titles[j], float(index.embeddings[c] @ index.embeddings[j]))
            for c in chosen
        ):
            continue
        chosen.append(j)
        if len(chosen) >= top_k:
            break
    scores = {j: float(sims[j]) for j in chosen}

    def why(j, d) -> list[str]:
        reasons = [f"similar in meaning ({sims[j]:.0%} match)"]
        if index.publisher[j] >= 0 and index.publisher[j] == index.publisher[pos]:
            reasons.append("same publisher")
        return reasons

    return hits_for(index, chosen, scores, query="", lexical={}, neural=scores, intent=None, user=user, why=why)


def search_warm_up() -> bool:
    """Load the index and the embedding model now, so a new web worker's first search is fast.

    Returns whether an index was loaded. Never raises: a worker must boot even without an index.
    """
    try:
        loaded = current_index(force_check=True) is not None
        get_embedder().encode_query("warm up")
    except Exception:
        logger.exception("search warm-up failed; the first request will load lazily")
        return False
    return loaded
