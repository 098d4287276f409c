"""Search services: hybrid search with filters, facets and a versioned result cache; similar datasets.

The lifecycle services (``datasets_changed``, ``index_ensure``, ``index_health``, ...) live in
``search.indexing`` and are re-exported here, where the contract names them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

from search import metrics
from search.indexing import (  # noqa: F401 - re-exported: the contract names them here
    datasets_changed,
    embeddings_update,
    index_ensure,
    index_health,
    index_rebuild,
)

logger = logging.getLogger(__name__)

MAX_QUERY_CHARS = 500
MAX_PAGE = 100
NEURAL_CANDIDATES = 200
FEEDBACK_POOL = 2000
LEXICAL_CANDIDATES = 200
FACET_LIMIT = 20
SNIPPET_CHARS = 240
SORTS = ("relevance", "recent")
FILTER_NAMES = (
    "source",
    "publisher",
    "format",
    "theme",
    "year_from",
    "year_to",
    "geography",
    "status",
    "include_inactive",
)
MULTI_FILTERS = ("source", "publisher", "format", "theme", "geography")
REWARM_QUERIES = 50
REWARM_WINDOW_DAYS = 7
WARMED_VERSION_KEY = "search:warmed-version"
QUERY_RECORD_SECONDS = 60


class SearchValidationError(Exception):
    """Bad query or filters; ``errors`` maps field names to messages (rendered as a 400)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class SearchHit:
    id: int
    source: str
    source_name: str
    external_id: str
    title: str
    snippet: str
    publisher: str
    formats: list[str]
    themes: list[str]
    url: str
    score: float
    why: list[str]
    temporal_start: str | None = None
    temporal_end: str | None = None
    link_status: str = "unknown"
    quality_score: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class SearchResponse:
    results: list[SearchHit]
    facets: dict[str, list[dict]]
    total: int
    page: int
    took_ms: float
    cached: bool
    query: str
    filters: dict
    top_k: int = 10
    sort: str = "relevance"
    index_version: int = 0
    pages: int = field(default=0)

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "filters": self.filters,
            "results": [h.to_dict() for h in self.results],
            "facets": self.facets,
            "total": self.total,
            "page": self.page,
            "pages": self.pages,
            "top_k": self.top_k,
            "sort": self.sort,
            "took_ms": self.took_ms,
            "cached": self.cached,
            "index_version": self.index_version,
        }

    @classmethod
    def from_dict(cls, data: dict, *, took_ms: float, cached: bool) -> SearchResponse:
        return cls(
            results=[SearchHit(**h) for h in data["results"]],
            facets=data["facets"],
            total=data["total"],
            page=data["page"],
            pages=data.get("pages", 0),
            top_k=data["top_k"],
            sort=data["sort"],
            query=data["query"],
            filters=data["filters"],
            index_version=data["index_version"],
            took_ms=took_ms,
            cached=cached,
        )


# --- validation --------------------------------------------------------------------------


def normalise_query(query: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", query or "").split())


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    out = []
    for v in value:
        v = str(v).strip()
        if v and v not in out:
            out.append(v)
    return out


def _as_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def _as_int(value, name: str, errors: dict, *, low: int, high: int) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        errors.setdefault(name, []).append("Enter a whole number.")
        return None
    if not low <= number <= high:
        errors.setdefault(name, []).append(f"Must be between {low} and {high}.")
        return None
    return number


def _is_staff(user) -> bool:
    return bool(user is not None and getattr(user, "is_staff", False))


def filters_clean(filters: dict | None, *, index, user) -> dict:
    """Canonical filters (sorted, known values only), or SearchValidationError."""
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    filters = dict(filters or {})
    for name in filters:
        if name not in FILTER_NAMES:
            errors.setdefault(name, []).append("Unknown filter.")
    vocabularies = {
        "source": (index.source_by_slug, lambda v: v.lower(), lambda i: index.sources[i]["slug"]),
        "publisher": (
            index.publisher_lookup,
            lambda v: v if v in index.publisher_by_slug else v.lower(),
            lambda i: index.publishers[i]["slug"],
        ),
        "format": (index.format_by_name, lambda v: v.upper().lstrip("."), lambda i: index.formats_vocab[i]),
        "theme": (index.theme_by_name, lambda v: v.lower(), lambda i: index.themes_vocab[i]),
        "geography": (
            {**index.geo_by_name, "singapore": -2},
            lambda v: v.lower(),
            lambda i: "Singapore" if i == -2 else index.geographies[i],
        ),
    }
    for name in MULTI_FILTERS:
        values = _as_list(filters.get(name))
        if not values:
            continue
        table, norm, canon = vocabularies[name]
        out = []
        for value in values:
            code = table.get(norm(value))
            if code is None:
                errors.setdefault(name, []).append(f"Unknown {name} '{value[:100]}'.")
            else:
                out.append(canon(code))
        if out:
            clean[name] = sorted(set(out))
    year_from = _as_int(filters.get("year_from"), "year_from", errors, low=1000, high=2999)
    year_to = _as_int(filters.get("year_to"), "year_to", errors, low=1000, high=2999)
    if year_from is not None and year_to is not None and year_from > year_to:
        errors.setdefault("year_to", []).append("Must not be before year_from.")
    if year_from is not None:
        clean["year_from"] = year_from
    if year_to is not None:
        clean["year_to"] = year_to
    staff = _is_staff(user)
    if "include_inactive" in filters and _as_bool(filters.get("include_inactive")):
        if not staff:
            errors.setdefault("include_inactive", []).append("Only staff can search inactive datasets.")
        else:
            clean["include_inactive"] = True
    status = str(filters.get("status") or "").strip().lower()
    if status:
        if status not in ("active", "inactive", "any"):
            errors.setdefault("status", []).append("Choose active, inactive or any.")
        elif status != "active" and not staff:
            errors.setdefault("status", []).append("Only staff can search inactive datasets.")
        elif status != "active":
            clean["status"] = status
    if errors:
        raise SearchValidationError(errors)
    return clean


def _validate_request(*, query, top_k, page, sort, similar_to) -> tuple[str, int, int, str, int | None]:
    errors: dict[str, list[str]] = {}
    q = normalise_query(query if isinstance(query, str) else "" if query is None else str(query))
    if not q and similar_to is None:
        errors["q"] = ["Enter a search query."]
    elif len(q) > MAX_QUERY_CHARS:
        errors["q"] = [f"Ensure this query has at most {MAX_QUERY_CHARS} characters (it has {len(q)})."]
    top_k = _as_int(
        top_k if top_k is not None else settings.SEARCH_DEFAULT_TOP_K,
        "top_k",
        errors,
        low=1,
        high=settings.SEARCH_MAX_TOP_K,
    )
    page = _as_int(page if page is not None else 1, "page", errors, low=1, high=MAX_PAGE)
    if sort not in SORTS:
        errors["sort"] = [f"Choose one of: {', '.join(SORTS)}."]
    if similar_to is not None:
        similar_to = _as_int(similar_to, "similar_to", errors, low=1, high=2**62)
    if errors:
        raise SearchValidationError(errors)
    return q, top_k, page, sort, similar_to


# --- the search --------------------------------------------------------------------------


def _filter_mask(index, clean: dict) -> np.ndarray:
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


def _signals(index):
    if index._signals is None:
        from search.ranking import DocSignals

        signals = DocSignals(
            quality=index.quality,
            link_broken=index.link_broken,
            freshness=index.freshness,
            is_singapore=index.singapore,
            publisher=[index.publishers[c]["name"] if c >= 0 else "" for c in index.publisher.tolist()],
        )
        if hasattr(signals, "popularity"):
            signals.popularity = index.popularity
        index._signals = signals
    return index._signals


def _top(scores: np.ndarray, mask: np.ndarray, k: int, *, floor: float) -> np.ndarray:
    """Indexes of the best ``k`` scores among ``mask`` that exceed ``floor``, best first."""
    allowed = np.flatnonzero(mask & (scores > floor))
    if len(allowed) > k:
        part = np.argpartition(-scores[allowed], k - 1)[:k]
        allowed = allowed[part]
    return allowed[np.argsort(-scores[allowed], kind="stable")]


def _candidates(index, *, query: str, mask: np.ndarray, similar_to: int | None):
    """Fused and re-scored candidate scores, plus the raw lexical and neural scores for explanations.

    The same steps as the ranking's quality bench (bench/search_quality.py, "+feedback"), restricted
    to the documents the filters allow.
    """
    from search import ranking

    neural: dict[int, float] = {}
    lexical: dict[int, float] = {}
    vector = None
    if query:
        from search.embeddings import get_embedder

        # The neural side sees the query without request boilerplate ("I want to build a system that").
        vector = np.asarray(get_embedder().encode_query(ranking.preprocess_query(query)), dtype=np.float32)
    if similar_to is not None:
        pos = index.position.get(similar_to)
        if pos is not None:
            mask = mask.copy()
            mask[pos] = False
            doc_vec = np.asarray(index.embeddings[pos], dtype=np.float32)
            vector = doc_vec if vector is None else (vector + doc_vec) / np.linalg.norm(vector + doc_vec)
    direct: np.ndarray | None = None  # similarity to the query itself (before feedback)
    if vector is not None and len(index):
        sims = direct = index.embeddings @ vector
        feedback = getattr(ranking, "feedback_query_vector", None)
        if feedback is not None and query:
            # Pseudo-relevance feedback: a second pass from the query moved towards its best hits.
            # Re-scoring only the best FEEDBACK_POOL documents of the first pass saves a second pass
            # over the whole matrix; what lies beyond them does not reach the candidates anyway.
            pool = _top(sims, mask, FEEDBACK_POOL, floor=-np.inf)
            best = pool[: getattr(ranking, "FEEDBACK_DOCS", 3)]
            if len(best):
                pool = np.sort(pool)  # ascending rows read the memory map sequentially
                moved = feedback(vector, np.asarray(index.embeddings[np.sort(best)], dtype=np.float32))
                sims = np.full(len(index), -np.inf, dtype=np.float32)
                sims[pool] = np.asarray(index.embeddings[pool], dtype=np.float32) @ moved
        top = _top(sims, mask, NEURAL_CANDIDATES, floor=-np.inf)
        neural = dict(zip(top.tolist(), sims[top].tolist(), strict=True))
    if query and len(index):
        scores = index.lexical.scores(query)
        top = _top(scores, mask, LEXICAL_CANDIDATES, floor=0.0)
        lexical = dict(zip(top.tolist(), scores[top].tolist(), strict=True))
    intent = ranking.query_intent(query)
    signals = _signals(index)
    order = ranking.rescore(ranking.fuse(lexical, neural, query=query), signals, intent)
    # The feedback pass improves the order but inflates similarities, so the score a hit reports
    # (which callers compare with thresholds) is the same fusion over the query's own similarity,
    # without the popularity prior (it orders candidates; it does not make a hit a better match).
    similarity = {i: float(direct[i]) for i in neural} if direct is not None else {}
    reported = getattr(ranking, "REPORTED_SCORE_RESCORE", ranking.DEFAULT_RESCORE)
    scores = ranking.rescore(ranking.fuse(lexical, similarity, query=query), signals, intent, params=reported)
    # Documents only the neural side found, and only faintly similar to the query itself, are not
    # counted as matches (so a nonsense query finds nothing). They take part in fusion above, as in
    # the quality bench.
    floor = float(settings.SEARCH_MIN_SIMILARITY)
    order = {i: s for i, s in order.items() if i in lexical or similarity.get(i, 1.0) >= floor}
    return order, scores, lexical, similarity, intent


def _facets(index, docs: np.ndarray) -> dict[str, list[dict]]:
    def single(codes: np.ndarray, labels, values) -> list[dict]:
        codes = codes[codes >= 0]
        counts = np.bincount(codes, minlength=len(labels)) if len(codes) else np.zeros(len(labels), dtype=np.int64)
        nonzero = np.flatnonzero(counts)
        order = nonzero[np.lexsort((nonzero, -counts[nonzero]))][:FACET_LIMIT]
        return [{"value": values(i), "label": labels[i], "count": int(counts[i])} for i in order.tolist()]

    facets = {
        "source": single(index.source[docs], [s["name"] for s in index.sources], lambda i: index.sources[i]["slug"]),
        "publisher": single(
            index.publisher[docs], [p["name"] for p in index.publishers], lambda i: index.publishers[i]["slug"]
        ),
    }
    for name, multi, vocab in (
        ("format", index.formats, index.formats_vocab),
        ("theme", index.themes, index.themes_vocab),
    ):
        counts = multi.counts(docs)
        nonzero = np.flatnonzero(counts)
        order = nonzero[np.lexsort((nonzero, -counts[nonzero]))][:FACET_LIMIT]
        facets[name] = [{"value": vocab[i], "label": vocab[i], "count": int(counts[i])} for i in order.tolist()]
    # Years: the last year each dataset covers, newest first.
    years = np.where(index.year_end[docs] >= 0, index.year_end[docs], index.year_start[docs]).astype(np.int64)
    years = years[years >= 0]
    if len(years):
        values, counts = np.unique(years, return_counts=True)
        facets["year"] = [
            {"value": str(v), "label": str(v), "count": int(c)} for v, c in zip(values[::-1], counts[::-1], strict=True)
        ][:FACET_LIMIT]
    else:
        facets["year"] = []
    return facets


def _snippet(description: str, query: str) -> str:
    from search.ranking import clean_description
    from search.text import content_words

    text = clean_description(description or "")
    if len(text) <= SNIPPET_CHARS:
        return text
    lowered = text.lower()
    start = 0
    for word in content_words(query):
        pos = lowered.find(word)
        if pos >= 0:
            start = max(0, pos - SNIPPET_CHARS // 3)
            break
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    piece = text[start : start + SNIPPET_CHARS]
    cut = piece.rfind(" ")
    if start + SNIPPET_CHARS < len(text) and cut > SNIPPET_CHARS // 2:
        piece = piece[:cut]
    return ("… " if start else "") + piece.strip() + ("…" if start + len(piece) < len(text) else "")


def _hits(index, positions: list[int], scores: dict[int, float], *, query, lexical, neural, intent, user, why=None):
    """SearchHits for index positions, in order, from the database rows (skipping rows gone or hidden)."""
    from catalog.models import Dataset
    from search.index import doc_fields, index_doc_from_dataset
    from search.ranking import explain

    ids = [int(index.ids[p]) for p in positions]
    qs = Dataset.objects.filter(pk__in=ids).select_related("source", "publisher").prefetch_related("tags")
    if not _is_staff(user):
        qs = qs.filter(status=Dataset.Status.ACTIVE)
    rows = {d.pk: d for d in qs}
    hits = []
    for pos, ds_id in zip(positions, ids, strict=True):
        d = rows.get(ds_id)
        if d is None:
            continue
        publisher = d.publisher.name if d.publisher else ""
        if why is not None:
            reasons = why(pos, d)
        else:
            reasons = explain(
                query=query,
                doc=doc_fields(index_doc_from_dataset(d)),
                lexical=lexical.get(pos),
                neural=neural.get(pos),
                intent=intent,
                is_singapore=bool(index.singapore[pos]),
                quality=d.quality_score,
                link_broken=d.link_is_broken,
                popularity=float(index.popularity[pos]) if index.popularity is not None else None,
            )
        hits.append(
            SearchHit(
                id=d.pk,
                source=d.source.slug,
                source_name=d.source.name,
                external_id=d.external_id,
                title=d.title,
                snippet=_snippet(d.description, query),
                publisher=publisher,
                formats=list(d.formats or []),
                themes=list(d.themes or []),
                url=d.landing_url,
                score=round(float(scores[pos]), 4),
                why=reasons,
                temporal_start=d.temporal_start.isoformat() if d.temporal_start else None,
                temporal_end=d.temporal_end.isoformat() if d.temporal_end else None,
                link_status=d.link_status,
                quality_score=round(float(d.quality_score), 3),
            )
        )
    return hits


def cache_key(*, query: str, filters: dict, top_k: int, page: int, sort: str, similar_to, version: str) -> str:
    # Case is folded except for words written in capitals, which the ranking reads as acronyms.
    caps = sorted(set(re.findall(r"\b[A-Z]{2,}\b", query)))
    payload = json.dumps(
        [query.casefold(), caps, filters, top_k, page, sort, similar_to, version], sort_keys=True, default=str
    )
    return "search:v1:" + hashlib.sha256(payload.encode()).hexdigest()


def _cache_version(index) -> str:
    # The build id as well: a restored or reset database can hand out a version number again.
    return f"{index.version}:{index.build_id}"


def _count(hit: bool) -> None:
    key = "search:stats:hits" if hit else "search:stats:misses"
    try:
        cache.incr(key)
    except ValueError:  # first count (or evicted)
        cache.set(key, 1, timeout=None)
    metrics.cache_event(cache="search", hit=hit)


def query_record(*, query: str, filters: dict) -> None:
    """Count a (normalised query, filters) pair for cache re-warming.

    At most one database write per pair and minute: the count is the number of minutes the query
    was asked in, which ranks queries just as well and keeps a popular query from serialising
    requests on one row.
    """
    from search.models import QueryStat

    if filters.get("include_inactive") or filters.get("status"):
        return  # staff views are not worth warming for everyone
    key = hashlib.sha256(json.dumps([query.casefold(), filters], sort_keys=True).encode()).hexdigest()
    if not cache.add(f"search:query-seen:{key}", 1, timeout=QUERY_RECORD_SECONDS):
        return
    now = timezone.now()
    try:
        if not QueryStat.objects.filter(key=key).update(count=F("count") + 1, last_seen=now):
            QueryStat.objects.get_or_create(
                key=key, defaults={"query": query[:500], "filters": filters, "count": 1, "last_seen": now}
            )
    except Exception:  # statistics must never break a search
        logger.warning("could not record query statistics", exc_info=True)


def search(
    *,
    query: str,
    filters: dict | None = None,
    top_k: int = 10,
    page: int = 1,
    user=None,
    sort: str = "relevance",
    similar_to: int | None = None,
) -> SearchResponse:
    """Hybrid search over the current index. Raises SearchValidationError for bad input."""
    from search.index import current_index

    started = time.perf_counter()
    q, top_k, page, sort, similar_to = _validate_request(
        query=query, top_k=top_k, page=page, sort=sort, similar_to=similar_to
    )
    index = current_index()
    if index is None:
        if filters:
            _validate_filter_names(filters)
        return SearchResponse(
            results=[], facets={}, total=0, page=page, took_ms=0.0, cached=False, query=q, filters={}, top_k=top_k
        )
    clean = filters_clean(filters, index=index, user=user)
    key = cache_key(
        query=q, filters=clean, top_k=top_k, page=page, sort=sort, similar_to=similar_to, version=_cache_version(index)
    )
    data = cache.get(key)
    if data is not None:
        _count(hit=True)
        response = SearchResponse.from_dict(data, took_ms=0.0, cached=True)
    else:
        _count(hit=False)
        response = _search_uncached(
            index, query=q, clean=clean, top_k=top_k, page=page, user=user, sort=sort, similar_to=similar_to
        )
        cache.set(key, response.to_dict(), timeout=settings.SEARCH_CACHE_TTL)
    if page == 1 and sort == "relevance" and similar_to is None and q:
        query_record(query=q, filters=clean)
    seconds = time.perf_counter() - started
    response.took_ms = round(seconds * 1000, 2)
    metrics.observe_search(seconds=seconds, cached=response.cached)
    return response


def _validate_filter_names(filters: dict) -> None:
    unknown = [name for name in filters if name not in FILTER_NAMES]
    if unknown:
        raise SearchValidationError({name: ["Unknown filter."] for name in unknown})


def _search_uncached(index, *, query, clean, top_k, page, user, sort, similar_to) -> SearchResponse:
    mask = _filter_mask(index, clean)
    final, reported, lexical, neural, intent = _candidates(index, query=query, mask=mask, similar_to=similar_to)
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
    results = _hits(
        index, page_positions, reported, query=query, lexical=lexical, neural=neural, intent=intent, user=user
    )
    return SearchResponse(
        results=results,
        facets=_facets(index, positions),
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


def similar_datasets(*, dataset_id: int, top_k: int = 5, user=None) -> list[SearchHit]:
    """Nearest neighbours of a dataset by embedding, without itself or near-duplicates of it (or of
    each other). Raises Dataset.DoesNotExist when the user may not see the dataset."""
    from catalog.models import Dataset
    from search.index import current_index
    from search.ranking import is_near_duplicate

    Dataset.objects.visible_to(user).only("pk").get(pk=dataset_id)
    index = current_index()
    if index is None or dataset_id not in index.position:
        return []
    top_k = max(1, min(int(top_k), settings.SEARCH_MAX_TOP_K))
    pos = index.position[dataset_id]
    vector = np.asarray(index.embeddings[pos], dtype=np.float32)
    sims = index.embeddings @ vector
    mask = index.active.copy()
    mask[pos] = False
    ranked = _top(sims, mask, top_k * 4 + 20, floor=-1.0).tolist()
    chosen: list[int] = []
    for j in ranked:
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

    return _hits(index, chosen, scores, query="", lexical={}, neural=scores, intent=None, user=user, why=why)


def search_warm_up() -> bool:
    """Load the index and the embedding model now, so a new web worker's first search is fast.

    Returns whether an index was loaded. Never raises: a worker must boot even without an index.
    """
    from search.embeddings import get_embedder
    from search.index import current_index

    try:
        loaded = current_index(force_check=True) is not None
        get_embedder().encode_query("warm up")
    except Exception:
        logger.exception("search warm-up failed; the first request will load lazily")
        return False
    return loaded


def search_cache_rewarm(*, limit: int = REWARM_QUERIES) -> int:
    """Re-run the most frequent recent queries once per index version, so they are cached again."""
    from search.index import current_index
    from search.models import QueryStat

    index = current_index(force_check=True)
    if index is None or cache.get(WARMED_VERSION_KEY) == index.version:
        return 0
    since = timezone.now() - timedelta(days=REWARM_WINDOW_DAYS)
    warmed = 0
    for stat in QueryStat.objects.filter(last_seen__gte=since).order_by("-count", "-last_seen")[:limit]:
        try:
            clean = filters_clean(stat.filters, index=index, user=None)
        except SearchValidationError:
            continue  # a filter value that no longer exists
        key = cache_key(
            query=stat.query,
            filters=clean,
            top_k=settings.SEARCH_DEFAULT_TOP_K,
            page=1,
            sort="relevance",
            similar_to=None,
            version=_cache_version(index),
        )
        if cache.get(key) is None:
            response = _search_uncached(
                index,
                query=stat.query,
                clean=clean,
                top_k=settings.SEARCH_DEFAULT_TOP_K,
                page=1,
                user=None,
                sort="relevance",
                similar_to=None,
            )
            cache.set(key, response.to_dict(), timeout=settings.SEARCH_CACHE_TTL)
            warmed += 1
    cache.set(WARMED_VERSION_KEY, index.version, timeout=None)
    logger.info("re-warmed %s cached searches for index v%s", warmed, index.version)
    return warmed
