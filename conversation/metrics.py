"""Conversation metrics (Prometheus): LLM provider calls. Exposed by ``ops``; defined and counted here.

The answer cache is counted with the shared named-cache counter (``search.metrics.cache_event``).
"""

from __future__ import annotations

from prometheus_client import Counter

from search.metrics import cache_event

__all__ = ["answer_dispatch", "cache_event", "llm_call"]

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


ANSWER_DISPATCH = Counter(
    "ra_answer_dispatch_total",
    "Answers not left to a queued task: inline = the broker refused the task, answered in-process by the "
    "built-in responder; swept = still pending after ANSWER_SWEEP_AFTER_SECONDS, answered by the sweep.",
    ["how"],
)


def answer_dispatch(*, how: str, count: int = 1) -> None:
    ANSWER_DISPATCH.labels(how=how).inc(count)
