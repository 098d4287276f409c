"""Search metrics (Prometheus): service latency, named-cache hits and the index served.

Defined here with prometheus-client, so call sites stay in this app; ``ops`` only exposes them
(``search/apps.py`` registers ``refresh_index_gauges`` to run before each scrape).
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

SEARCH_SECONDS = Histogram(
    "ra_search_duration_seconds",
    "Time spent in the search service, by whether the answer came from the result cache.",
    ["cached"],
    buckets=LATENCY_BUCKETS,
)
CACHE_EVENTS = Counter(
    "ra_cache_requests_total", "Lookups in a named application cache, by result (hit/miss).", ["cache", "result"]
)
INDEX_VERSION = Gauge(
    "ra_search_index_version",
    "Version of the search index served (highest among live processes).",
    multiprocess_mode="livemax",
)
INDEX_SIZE = Gauge(
    "ra_search_index_size",
    "Datasets in the search index served (most recent report of a live process).",
    multiprocess_mode="livemostrecent",
)


def observe_search(*, seconds: float, cached: bool) -> None:
    """One search service call."""
    SEARCH_SECONDS.labels(cached="true" if cached else "false").observe(max(0.0, seconds))


def cache_event(*, cache: str, hit: bool) -> None:
    """A lookup in a named cache ("search", "llm", "embedding")."""
    CACHE_EVENTS.labels(cache=cache, result="hit" if hit else "miss").inc()


def set_index(*, version: int, size: int) -> None:
    """The search index this process serves."""
    INDEX_VERSION.set(version or 0)
    INDEX_SIZE.set(size or 0)
