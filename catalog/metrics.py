"""Catalog metrics (Prometheus): link checks, data previews. Exposed by ``ops``; defined and counted here."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

LINK_CHECKS = Counter(
    "ra_link_checks_total", "URLs checked by the link checker, by resulting link status.", ["outcome"]
)


def link_check(*, outcome: str) -> None:
    """One URL checked: outcome is a Dataset.LinkStatus value."""
    LINK_CHECKS.labels(outcome=outcome).inc()


PREVIEWS = Counter("ra_previews_total", "Data previews made, by status (ready / unavailable).", ["status"])
PREVIEW_SECONDS = Histogram(
    "ra_preview_seconds", "Time to fetch and profile one data preview.", buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
)


def preview_made(*, status: str, seconds: float) -> None:
    PREVIEWS.labels(status=status).inc()
    PREVIEW_SECONDS.observe(seconds)
