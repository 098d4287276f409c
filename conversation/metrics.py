"""Conversation metrics (Prometheus): LLM provider calls. Exposed by ``ops``; defined and counted here.

The answer cache is counted with the shared named-cache counter (``search.metrics.cache_event``).
"""

from __future__ import annotations

from prometheus_client import Counter

from search.metrics import cache_event

__all__ = ["cache_event", "llm_call"]

LLM_CALLS = Counter(
    "ra_llm_calls_total",
    "LLM provider calls by provider and outcome (ok, error, timeout, rejected = reply unusable, skipped = circuit open,"
    " fallback).",
    ["provider", "outcome"],
)


def llm_call(*, provider: str, outcome: str) -> None:
    """An LLM provider call: outcome is "ok", "error", "timeout", "rejected" (the provider answered, but nothing
    grounded or valid was left), "skipped" (circuit open) or "fallback"."""
    LLM_CALLS.labels(provider=provider or "unknown", outcome=outcome).inc()
