"""Catalog metrics (Prometheus): link checks. Exposed by ``ops``; defined and counted here."""

from __future__ import annotations

from prometheus_client import Counter

LINK_CHECKS = Counter(
    "ra_link_checks_total", "URLs checked by the link checker, by resulting link status.", ["outcome"]
)


def link_check(*, outcome: str) -> None:
    """One URL checked: outcome is a Dataset.LinkStatus value."""
    LINK_CHECKS.labels(outcome=outcome).inc()
