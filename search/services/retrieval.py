"""One uncached search over a loaded index: filter mask, the ranking pipeline, sort, page, facets."""

from __future__ import annotations

import numpy as np
from django.conf import settings

from search.embeddings import get_embedder
from search.index.loaded import SearchIndex
from search.ranking.columns import key_matches, requested_columns
from search.ranking.families import collapse, query_time
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
        # Members in the format: a family matches through any of them and is led by one ("KML only").
        mask &= index.own_formats.mask_any([index.format_by_name[f] for f in clean["format"]], n)
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
        # Overlap of [start, end] with [year_from, year_to]; an open end counts as ongoing. A dataset
        # with no temporal coverage at all cannot be said to overlap: dropped, unless undated=keep.
        start = index.year_start.astype(np.int32)
        end = index.year_end.astype(np.int32)
        known = (start >= 0) | (end >= 0)
        start = np.where(start >= 0, start, -(10**6))
        end = np.where(end >= 0, end, 10**6)
        ok = known.copy()
        if "year_from" in clean:
            ok &= end >= clean["year_from"]
        if "year_to" in clean:
            ok &= start <= clean["year_to"]
        if clean.get("undated") == "keep":
            ok |= ~known
        mask &= ok
    return mask & ~exclusion_mask(index, clean) if _has_exclusions(clean) else mask


def _has_exclusions(clean: dict) -> bool:
    return any(name.startswith("exclude_") for name in clean) or "ids" in clean


def exclusion_mask(index: SearchIndex, clean: dict) -> np.ndarray:
    """Documents the exclude_* and id filters remove (``ids`` keeps only those ids)."""
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
    if "ids" in clean:
        out |= ~np.isin(index.ids, clean["ids"])
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
        column_match=columns_mask(index, wanted) if (wanted := requested_columns(query)) else None,
    )


def family_collapse(
    index: SearchIndex, ranking: Ranking, *, query: str, mask: np.ndarray, clean: dict,
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


def search_uncached(
    index: SearchIndex, *, query: str, clean: dict, top_k: int, page: int, user, sort: str, similar_to: int | None
) -> SearchResponse:
    """One page of results; assumes the request and ``clean`` filters were validated."""
    mask = filter_mask(index, clean)
    ranking = index_ranking(index, query=query, mask=mask, similar_to=similar_to)
    # Totals and facets below count each family once.
    stand_ins: dict[int, int] = {}
    final = family_collapse(index, ranking, query=query, mask=mask, clean=clean, stand_ins=stand_ins)
    reported, lexical, similarity = ranking.reported, ranking.lexical, ranking.similarity
    if stand_ins:  # a series lead reports (and explains itself with) the family's best member's scores
        reported, lexical, similarity = dict(reported), dict(lexical), dict(similarity)
        for lead, best in stand_ins.items():
            for scores in (reported, lexical, similarity):
                if best in scores:
                    scores[lead] = scores[best]
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
        reported,
        query=query,
        lexical=lexical,
        neural=similarity,
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
