"""Application metrics (Prometheus). Placeholder API, filled in by the operations issue.

Call sites use only these functions, so the backend (multiprocess-safe prometheus-client)
can change without touching them.
"""

from __future__ import annotations


def observe_search(*, seconds: float, cached: bool) -> None:
    """One search service call."""


def cache_event(*, cache: str, hit: bool) -> None:
    """A lookup in a named cache ("search", "llm", "embedding")."""


def llm_call(*, provider: str, outcome: str) -> None:
    """An LLM provider call: outcome is "ok", "error", "timeout", "skipped" (circuit open) or "fallback"."""


def link_check(*, outcome: str) -> None:
    """One URL checked: outcome is a Dataset.LinkStatus value."""


def set_index(*, version: int, size: int) -> None:
    """The search index this process serves."""
