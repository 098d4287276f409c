"""Circuit breaker per provider, kept in the shared cache so it holds across gunicorn workers and
Celery processes: after ``LLM_CIRCUIT_FAILURES`` failed calls a provider is skipped for
``LLM_CIRCUIT_COOLDOWN_SECONDS``; then one process makes a trial call (half-open)."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache

from .providers import provider_get

logger = logging.getLogger(__name__)


def _cb_keys(name: str) -> tuple[str, str, str]:
    return f"llm:cb:{name}:failures", f"llm:cb:{name}:open_until", f"llm:cb:{name}:probe"


def circuit_state(name: str) -> dict:
    """``closed``, ``open`` (skipped until ``open_until``) or ``half_open`` (one trial call allowed)."""
    failures_key, open_key, _ = _cb_keys(name)
    open_until = cache.get(open_key)
    failures = cache.get(failures_key) or 0
    if open_until is None:
        return {"state": "closed", "failures": failures, "open_until": None}
    if time.time() < open_until:
        return {"state": "open", "failures": failures, "open_until": open_until}
    return {"state": "half_open", "failures": failures, "open_until": open_until}


def circuit_allows(name: str) -> bool:
    state = circuit_state(name)["state"]
    if state == "closed":
        return True
    if state == "open":
        return False
    # Half-open: one process gets to try; the others keep skipping until it reports back.
    _, _, probe_key = _cb_keys(name)
    return cache.add(probe_key, 1, timeout=int(settings.LLM_TIMEOUT_SECONDS) + 5)


def circuit_record_success(name: str) -> None:
    cache.delete_many(list(_cb_keys(name)))


def circuit_record_failure(name: str) -> None:
    failures_key, open_key, probe_key = _cb_keys(name)
    half_open = circuit_state(name)["state"] == "half_open"
    cache.add(failures_key, 0, timeout=None)
    try:
        failures = cache.incr(failures_key)
    except ValueError:  # evicted between add and incr
        cache.set(failures_key, 1, timeout=None)
        failures = 1
    if half_open or failures >= settings.LLM_CIRCUIT_FAILURES:
        cooldown = settings.LLM_CIRCUIT_COOLDOWN_SECONDS
        # The key outlives the cool-down so the expired state reads "half_open", not "closed".
        cache.set(open_key, time.time() + cooldown, timeout=max(cooldown * 10, 600))
        cache.set(failures_key, 0, timeout=None)
        cache.delete(probe_key)
        logger.warning("LLM provider %s: circuit open for %ss", name, cooldown)


def provider_health() -> dict:
    """For /api/health: each provider in the chain with its circuit state; the built-in responder is always up."""
    providers = []
    for name in settings.LLM_PROVIDERS:
        provider = provider_get(name.strip().lower())
        if provider is None:
            continue
        providers.append(
            {"name": provider.name, "model": provider.model, "configured": provider.configured}
            | circuit_state(provider.name)
        )
    providers.append({"name": "builtin", "model": "templates", "configured": True, "state": "closed"})
    degraded = any(p["configured"] and p["state"] == "open" for p in providers)
    return {"status": "degraded" if degraded else "ok", "providers": providers}
