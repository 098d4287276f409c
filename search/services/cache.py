"""The versioned result cache: keys, hit/miss counts, query statistics and re-warming."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

from search import metrics
from search.index.loaded import SearchIndex
from search.index.versions import current_index
from search.models import QueryStat
from search.services.retrieval import search_uncached
from search.services.validation import SearchValidationError, filters_clean

logger = logging.getLogger(__name__)

REWARM_QUERIES = 50
REWARM_WINDOW_DAYS = 7
WARMED_VERSION_KEY = "search:warmed-version"
QUERY_RECORD_SECONDS = 60


def cache_key(*, query: str, filters: dict, top_k: int, page: int, sort: str, similar_to, version: str) -> str:
    # Case is folded except for words written in capitals, which the ranking reads as acronyms.
    caps = sorted(set(re.findall(r"\b[A-Z]{2,}\b", query)))
    payload = json.dumps(
        [query.casefold(), caps, filters, top_k, page, sort, similar_to, version], sort_keys=True, default=str
    )
    return "search:v1:" + hashlib.sha256(payload.encode()).hexdigest()


def cache_version(index: SearchIndex) -> str:
    # The build id as well: a restored or reset database can hand out a version number again.
    return f"{index.version}:{index.build_id}"


def lookup_count(*, hit: bool) -> None:
    """Count one result-cache lookup (statistics in the cache, and the metric)."""
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


def search_cache_rewarm(*, limit: int = REWARM_QUERIES) -> int:
    """Re-run the most frequent recent queries once per index version, so they are cached again."""
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
            version=cache_version(index),
        )
        if cache.get(key) is None:
            response = search_uncached(
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
