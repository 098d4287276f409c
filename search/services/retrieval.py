"""One uncached search over a loaded index: filter mask, the ranking pipeline, sort, page, facets."""

from __future__ import annotations

import numpy as np
from django.conf import settings

from search.embeddings import get_embedder
from search.index.loaded import SearchIndex
from search.ranking.pipeline import Ranking, rank
from search.ranking.queries import preprocess_query
from search.services.results import SearchResponse, facets_for, hits_for


def filter_mask(index: SearchIndex, clean: dict) -> np.ndarray:
    n = len(index)
    status = clean.get("status")
    if status == "inactive":
        mask = ~index.active
    elif status == "any" or clean.get("include_inactive"):
        mask = np.ones(n, dtype=bool)
    else:
        mask = index.active.copy()
    if "source" in clean:
        mask &= np.isin(index.source, [index.source_by_slug[s] for s in clean["source"]])
    if "publisher" in clean:
        mask &= np.isin(index.publisher, [index.publisher_by_slug[p] for p in clean["publisher"]])
    if "format" in clean:
        mask &= index.formats.mask_any([index.format_by_name[f] for f in clean["format"]], n)
    if "theme" in clean:
        mask &= index.themes.mask_any([index.theme_by_name[t.lower()] for t in clean["theme"]], n)
    if "geography" in clean:
        geo = np.zeros(n, dtype=bool)
        codes = [index.geo_by_name[g.lower()] for g in clean["geography"] if g.lower() in index.geo_by_name]
        if codes:
            geo |= np.isin(index.geography, codes)
        if "Singapore" in clean["geography"]:
            geo |= index.singapore
        mask &= geo
    if "year_from" in clean or "year_to" in clean:
        # Overlap of [start, end] with [year_from, year_to]; an open end counts as ongoing, and a
        # dataset with no temporal coverage at all cannot be said to overlap.
        start = index.year_start.astype(np.int32)
        end = index.year_end.astype(np.int32)
        known = (start >= 0) | (end >= 0)
        start = np.where(start >= 0, start, -(10**6))
        end = np.where(end >= 0, end, 10**6)
        ok = known
        if "year_from" in clean:
            ok &= end >= clean["year_from"]
        if "year_to" in clean:
            ok &= start <= clean["year_to"]
        mask &= ok
    return mask


def index_ranking(index: SearchIndex, *, query: str, mask: np.ndarray, similar_to: int | None) -> Ranking:
    """The ranking pipeline (``search.ranking.pipeline.rank``, every component) over the documents the
    filters allow; with ``similar_to``, the query vector moves towards that dataset, which is left out."""
    vector = None
    if query:
        # The neural side sees the query without request boilerplate ("I want to build a system that").
        vector = np.asarray(get_embedder().encode_query(preprocess_query(query)), dtype=np.float32)
    if similar_to is not None:
        pos = index.position.get(similar_to)
        if pos is not None:
            mask = mask.copy()
            mask[pos] = False
            doc_vec = np.asarray(index.embeddings[pos], dtype=np.float32)
            vector = doc_vec if vector is None else (vector + doc_vec) / np.linalg.norm(vector + doc_vec)
    return rank(
        query=query,
        vector=vector,
        embeddings=index.embeddings,
        lexical_index=index.lexical,
        signals=index.signals,
        mask=mask,
        min_similarity=float(settings.SEARCH_MIN_SIMILARITY),
    )


def search_uncached(
    index: SearchIndex, *, query: str, clean: dict, top_k: int, page: int, user, sort: str, similar_to: int | None
) -> SearchResponse:
    """One page of results; assumes the request and ``clean`` filters were validated."""
    ranking = index_ranking(index, query=query, mask=filter_mask(index, clean), similar_to=similar_to)
    final = ranking.order
    positions = np.fromiter(final.keys(), dtype=np.int64, count=len(final))
    scores = np.fromiter(final.values(), dtype=np.float64, count=len(final))
    if sort == "recent":
        modified = np.nan_to_num(index.modified[positions], nan=-np.inf)
        order = np.lexsort((positions, -scores, -modified))
    else:
        order = np.lexsort((positions, -scores))
    ranked = positions[order].tolist()
    total = len(ranked)
    start = (page - 1) * top_k
    page_positions = ranked[start : start + top_k]
    results = hits_for(
        index,
        page_positions,
        ranking.reported,
        query=query,
        lexical=ranking.lexical,
        neural=ranking.similarity,
        intent=ranking.intent,
        user=user,
    )
    return SearchResponse(
        results=results,
        facets=facets_for(index, positions),
        total=total,
        page=page,
        pages=(total + top_k - 1) // top_k,
        took_ms=0.0,
        cached=False,
        query=query,
        filters=clean,
        top_k=top_k,
        sort=sort,
        index_version=index.version,
    )
