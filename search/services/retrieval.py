"""One uncached search over a loaded index: filter mask, the ranking pipeline, sort, page, facets."""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
from django.conf import settings

from search.embeddings import get_embedder
from search.index.loaded import SearchIndex
from search.ranking.columns import key_matches, requested_columns
from search.ranking.families import collapse, query_time
from search.ranking.pipeline import Ranking, rank
from search.ranking.queries import embedding_query, lexical_query
from search.ranking.spelling import spelled
from search.services.facets import facet_counts, facet_masks
from search.services.results import SearchResponse, hits_for


def scope_mask(index: SearchIndex, clean: dict) -> np.ndarray:
    """The documents the ranking runs over: those the status, geography and id filters allow. The exclude_* filters
    (``exclusion_mask``), like the facet filters (``search.services.facets``), then narrow its matches, so an
    exclusion leaves the list it was asked of without what it names ("Excluded URA: 8 left" of the 10 shown, never
    more matches than before)."""
    n = len(index)
    status = clean.get("status")
    if status == "inactive":
        mask = ~index.active
    elif status == "any" or clean.get("include_inactive"):
        mask = np.ones(n, dtype=bool)
    else:
        mask = index.active.copy()
    if index.live is not None:  # rows a delta replaced (search.index.delta)
        mask &= index.live
    if "geography" in clean:
        geo = np.zeros(n, dtype=bool)
        codes = [index.geo_by_name[g.lower()] for g in clean["geography"] if g.lower() in index.geo_by_name]
        if codes:
            geo |= np.isin(index.geography, codes)
        if "Singapore" in clean["geography"]:
            geo |= index.singapore
        mask &= geo
    if "ids" in clean:  # the ranking runs inside a list of ids
        mask &= np.isin(index.ids, clean["ids"])
    return mask


def base_mask(index: SearchIndex, clean: dict, *, scope: np.ndarray | None = None) -> np.ndarray:
    """The documents the non-facet filters allow: ``scope_mask`` (or ``scope``, already computed) without what the
    exclude_* filters remove."""
    mask = scope_mask(index, clean) if scope is None else scope
    return mask & ~exclusion_mask(index, clean) if _has_exclusions(clean) else mask


def filter_mask(index: SearchIndex, clean: dict, *, facets: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Every filter: the base mask and each facet's selection (``facets``: precomputed facet masks)."""
    mask = base_mask(index, clean)
    for facet in (facets if facets is not None else facet_masks(index, clean)).values():
        mask &= facet
    return mask


def _has_exclusions(clean: dict) -> bool:
    return any(name.startswith("exclude_") for name in clean)


def exclusion_mask(index: SearchIndex, clean: dict) -> np.ndarray:
    """Documents the exclude_* filters remove."""
    n = len(index)
    out = np.zeros(n, dtype=bool)
    if "exclude_source" in clean:
        out |= np.isin(index.source, [index.source_by_slug[s] for s in clean["exclude_source"]])
    if "exclude_publisher" in clean:
        out |= np.isin(index.publisher, [index.publisher_by_slug[p] for p in clean["exclude_publisher"]])
    if "exclude_format" in clean:
        # A member goes when it offers nothing but excluded formats; its family stays, led by a member
        # in another format ("no shapefiles" shows the KML copy).
        excluded = {index.format_by_name[f] for f in clean["exclude_format"]}
        others = [code for code in range(index.own_formats.size) if code not in excluded]
        offers_other = index.own_formats.mask_any(others, n) if others else np.zeros(n, dtype=bool)
        out |= index.own_formats.mask_any(sorted(excluded), n) & ~offers_other
    if "exclude_theme" in clean:
        out |= index.themes.mask_any([index.theme_by_name[t.lower()] for t in clean["exclude_theme"]], n)
    if "exclude_geography" in clean:
        codes = [index.geo_by_name[g.lower()] for g in clean["exclude_geography"] if g.lower() in index.geo_by_name]
        if codes:
            out |= np.isin(index.geography, codes)
        if "Singapore" in clean["exclude_geography"]:
            out |= index.singapore
    if "exclude_ids" in clean:
        out |= np.isin(index.ids, clean["exclude_ids"])
    return out


def columns_mask(index: SearchIndex, wanted: list[str]) -> np.ndarray | None:
    """Documents having a column matching each of the ``wanted`` column keys (None: none has them all)."""
    n = len(index)
    found = np.ones(n, dtype=bool)
    for key in wanted:
        codes = [code for code, column in enumerate(index.column_keys) if key_matches(key, column)]
        if not codes:
            return None
        found &= index.columns.mask_any(codes, n)
    return found if found.any() else None


_lexical_threads: dict[int, ThreadPoolExecutor] = {}  # per process: a forked child must not inherit its parent's


def _lexical_thread() -> ThreadPoolExecutor:
    pid = os.getpid()
    if pid not in _lexical_threads:
        _lexical_threads.clear()
        _lexical_threads[pid] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lexical")
    return _lexical_threads[pid]


class PrefetchedScores:
    """A lexical scorer whose scores for ``query`` were started earlier (``index_ranking``); another query is
    scored by ``lexical`` itself."""

    def __init__(self, future: Future, query: str, lexical):
        self.future, self.query, self.lexical = future, query, lexical

    def scores(self, query: str) -> np.ndarray:
        return self.future.result() if query == self.query else self.lexical.scores(query)


def index_ranking(index: SearchIndex, *, query: str, mask: np.ndarray, similar_to: int | None) -> Ranking:
    """The ranking pipeline (``search.ranking.pipeline.rank``, every component) over the documents the
    filters allow; with ``similar_to``, the query vector moves towards that dataset, which is left out."""
    vector = None
    lexical = index.lexical
    if query:
        query = spelled(query, index.lexical)  # "electricty tarrifs": the catalog's words beside the misspelt ones
        # The query's BM25 scores are computed in a second thread while the model encodes the query (both
        # leave the interpreter lock for most of their time).
        prefetched = lexical_query(query)  # what the pipeline scores (search.ranking.pipeline.rank)
        lexical = PrefetchedScores(_lexical_thread().submit(index.lexical.scores, prefetched), prefetched, index.lexical)
        # The neural side sees the query without request boilerplate ("I want to build a system that"), with the
        # catalog's terms for its everyday words.
        vector = np.asarray(get_embedder().encode_query(embedding_query(query)), dtype=np.float32)
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
        lexical_index=lexical,
        signals=index.signals,
        mask=mask,
        min_similarity=float(settings.SEARCH_MIN_SIMILARITY),
        column_match=columns_mask(index, wanted) if (wanted := requested_columns(query)) else None,
    )


def family_collapse(
    index: SearchIndex,
    ranking: Ranking,
    *,
    query: str,
    mask: np.ndarray,
    clean: dict,
    stand_ins: dict[int, int] | None = None,
) -> dict[int, float]:
    """One result per dataset family: the best member's score; a series led by the member (among those
    ``mask`` allows) that fits the query's time. ``stand_ins`` receives series lead -> best member."""
    return collapse(
        ranking.order,
        index.family,
        series=index.family_series,
        members=index.family_members,
        mask=mask,
        year_start=index.period_start,
        year_end=index.period_end,
        when=query_time(query, years=ranking.intent.years, filters=clean),
        stand_ins=stand_ins,
    )  # fmt: skip


def _collapse_arrays(
    index: SearchIndex,
    positions: np.ndarray,
    scores: np.ndarray,
    *,
    when,
    mask: np.ndarray,
    stand_ins: dict[int, int],
) -> tuple[np.ndarray, np.ndarray]:
    """``collapse`` over arrays: documents alone pass through without a Python loop (browsing can
    hold the whole catalog), family members are collapsed."""
    grouped = index.family[positions] > 0
    if not grouped.any():
        return positions, scores
    order = dict(zip(positions[grouped].tolist(), scores[grouped].tolist(), strict=True))
    final = collapse(
        order, index.family, series=index.family_series, members=index.family_members, mask=mask,
        year_start=index.period_start, year_end=index.period_end, when=when, stand_ins=stand_ins,
    )  # fmt: skip
    return (
        np.concatenate([positions[~grouped], np.fromiter(final.keys(), dtype=np.int64, count=len(final))]),
        np.concatenate([scores[~grouped], np.fromiter(final.values(), dtype=np.float64, count=len(final))]),
    )


def search_uncached(
    index: SearchIndex, *, query: str, clean: dict, top_k: int, page: int, user, sort: str, similar_to: int | None
) -> SearchResponse:
    """One page of results; assumes the request and ``clean`` filters were validated.

    With a query (or ``similar_to``), the results are the ranking's matches over the base mask that
    pass the facet filters; without one (browsing), every document the filters allow, newest first.
    Totals and facets count each family once.
    """
    scope = scope_mask(index, clean)
    base = base_mask(index, clean, scope=scope)
    masks = facet_masks(index, clean)
    mask = base.copy()
    for facet in masks.values():
        mask &= facet
    browsing = not query and similar_to is None
    excluding = _has_exclusions(clean)
    reported: dict[int, float]
    if browsing:
        matched = np.flatnonzero(base)
        matched_scores = index.quality[matched].astype(np.float64)  # a family is shown by its best member
        reported, lexical, similarity, intent, years = {}, {}, {}, None, ()
        sort = "recent"
    else:
        ranking = index_ranking(index, query=query, mask=scope, similar_to=similar_to)
        if (masks or excluding) and not mask[list(ranking.order)].any():
            # A selective facet whose datasets the query's candidates all missed (a World Bank "Population, total"
            # among hundreds of national population tables), or an exclusion of all of them: rank inside the
            # filters instead of answering nothing.
            ranking = index_ranking(index, query=query, mask=mask, similar_to=similar_to)
        matched = np.fromiter(ranking.order.keys(), dtype=np.int64, count=len(ranking.order))
        matched_scores = np.fromiter(ranking.order.values(), dtype=np.float64, count=len(ranking.order))
        if excluding:  # what the exclusions remove is no match (nor counted by a facet)
            allowed = base[matched]
            matched, matched_scores = matched[allowed], matched_scores[allowed]
        reported, lexical, similarity = ranking.reported, ranking.lexical, ranking.similarity
        intent, years = ranking.intent, ranking.intent.years
    keep = mask[matched]
    stand_ins: dict[int, int] = {}
    positions, scores = _collapse_arrays(
        index, matched[keep], matched_scores[keep], when=query_time(query, years=years, filters=clean), mask=mask,
        stand_ins=stand_ins,
    )  # fmt: skip
    if stand_ins:  # a series lead reports (and explains itself with) the family's best member's scores
        reported, lexical, similarity = dict(reported), dict(lexical), dict(similarity)
        for lead, best in stand_ins.items():
            for table in (reported, lexical, similarity):
                if best in table:
                    table[lead] = table[best]
    if sort == "recent":
        modified = np.nan_to_num(index.modified[positions], nan=-np.inf)
        order = np.lexsort((positions, -scores, -modified))
    else:
        order = np.lexsort((positions, -scores))
    ranked = positions[order].tolist()
    total = len(ranked)
    start = (page - 1) * top_k
    page_positions = ranked[start : start + top_k]
    if browsing:
        reported = dict.fromkeys(page_positions, 0.0)
    results = hits_for(
        index,
        page_positions,
        reported,
        query=query,
        lexical=lexical,
        neural=similarity,
        intent=intent,
        user=user,
        why=(lambda pos, d: []) if browsing else None,
    )
    return SearchResponse(
        results=results,
        facets=facet_counts(index, matched, masks, clean),
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
