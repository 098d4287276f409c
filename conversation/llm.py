"""LLM provider adapter: the only module that talks to LLM providers.

Two wire protocols cover the field: OpenAI-compatible chat completions (OpenAI itself and local
servers such as Ollama, vLLM and llama.cpp) and the Anthropic Messages API. ``settings.LLM_PROVIDERS``
orders them. Every call has a timeout; 429 and 5xx answers (and timeouts) are retried with backoff,
honouring Retry-After, within an overall deadline; other errors are permanent. A provider that keeps
failing is skipped for a cool-down (circuit breaker; state in the shared cache, so it holds across
gunicorn workers and Celery processes). Answers are cached by (provider, model, prompt hash).

Callers get ``None`` when no provider produced a usable answer and then use the built-in responder.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from django.conf import settings
from django.core.cache import cache

from conversation import metrics

logger = logging.getLogger(__name__)

T = TypeVar("T")

ANTHROPIC_VERSION = "2023-06-01"
BACKOFF_BASE_SECONDS = 0.25
BACKOFF_MAX_SECONDS = 4.0


@dataclass(frozen=True)
class LLMRequest:
    system: str
    user: str
    max_tokens: int = 700
    temperature: float = 0.2

    def cache_digest(self) -> str:
        raw = json.dumps([self.system, self.user, self.max_tokens, self.temperature], ensure_ascii=False)
        return hashlib.sha256(raw.encode()).hexdigest()


class ProviderError(Exception):
    """A failed provider call. ``permanent`` errors are not retried (bad key, bad request, bad body)."""

    def __init__(self, message: str, *, permanent: bool, kind: str = "error", retry_after: float | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.kind = kind  # "error" or "timeout" (the metrics outcome)
        self.retry_after = retry_after


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


def _raise_for_status(response: httpx.Response) -> None:
    code = response.status_code
    if code < 400:
        return
    transient = code in (408, 409, 425, 429) or code >= 500
    raise ProviderError(
        f"HTTP {code}", permanent=not transient, retry_after=_retry_after(response) if transient else None
    )


def _post_json(url: str, *, headers: dict, payload: dict, timeout: float) -> dict:
    try:
        response = httpx.post(url, headers=headers, json=payload, timeout=httpx.Timeout(timeout))
    except httpx.TimeoutException as exc:
        raise ProviderError(f"timeout: {exc.__class__.__name__}", permanent=False, kind="timeout") from exc
    except httpx.HTTPError as exc:
        raise ProviderError(f"transport: {exc.__class__.__name__}", permanent=False) from exc
    _raise_for_status(response)
    try:
        body = response.json()
    except ValueError as exc:
        raise ProviderError("malformed JSON body", permanent=True) from exc
    if not isinstance(body, dict):
        raise ProviderError("unexpected body shape", permanent=True)
    return body


class Provider:
    """One HTTP LLM provider: ``complete()`` returns the text or raises ProviderError."""

    name = ""

    def __init__(self, *, base_url: str, api_key: str, model: str):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.model = model

    @property
    def configured(self) -> bool:
        raise NotImplementedError

    def complete(self, request: LLMRequest, *, timeout: float) -> str:
        raise NotImplementedError


class OpenAIProvider(Provider):
    """OpenAI-compatible ``POST {base}/chat/completions`` (also Ollama, vLLM, llama.cpp servers)."""

    name = "openai"

    @property
    def configured(self) -> bool:
        # Local servers need no key; the hosted API does.
        return bool(self.base_url and self.model) and (bool(self.api_key) or "api.openai.com" not in self.base_url)

    def complete(self, request: LLMRequest, *, timeout: float) -> str:
        headers = {"content-type": "application/json"}
        if self.api_key:
            headers["authorization"] = f"Bearer {self.api_key}"
        payload = {
            "model": self.model,
            "messages": [{"role": "system", "content": request.system}, {"role": "user", "content": request.user}],
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
        }
        body = _post_json(f"{self.base_url}/chat/completions", headers=headers, payload=payload, timeout=timeout)
        try:
            content = body["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError) as exc:
            raise ProviderError("no choices[0].message.content", permanent=True) from exc
        if not isinstance(content, str) or not content.strip():
            raise ProviderError("empty completion", permanent=True)
        return content


class AnthropicProvider(Provider):
    """Anthropic Messages API: ``POST {base}/v1/messages`` with x-api-key and anthropic-version."""

    name = "anthropic"

    @property
    def configured(self) -> bool:
        return bool(self.base_url and self.api_key and self.model)

    def complete(self, request: LLMRequest, *, timeout: float) -> str:
        headers = {
            "content-type": "application/json",
            "x-api-key": self.api_key,
            "anthropic-version": ANTHROPIC_VERSION,
        }
        payload = {
            "model": self.model,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "system": request.system,
            "messages": [{"role": "user", "content": request.user}],
        }
        body = _post_json(f"{self.base_url}/v1/messages", headers=headers, payload=payload, timeout=timeout)
        blocks = body.get("content")
        if not isinstance(blocks, list):
            raise ProviderError("no content blocks", permanent=True)
        text = "".join(b.get("text", "") for b in blocks if isinstance(b, dict) and b.get("type") == "text")
        if not text.strip():
            raise ProviderError("empty completion", permanent=True)
        return text


def provider_get(name: str) -> Provider | None:
    if name == "openai":
        return OpenAIProvider(
            base_url=settings.OPENAI_BASE_URL, api_key=settings.OPENAI_API_KEY or "", model=settings.OPENAI_MODEL
        )
    if name == "anthropic":
        return AnthropicProvider(
            base_url=settings.ANTHROPIC_BASE_URL,
            api_key=settings.ANTHROPIC_API_KEY or "",
            model=settings.ANTHROPIC_MODEL,
        )
    return None


def providers_configured() -> list[Provider]:
    """The configured providers in ``LLM_PROVIDERS`` order ("builtin" and unknown names are skipped)."""
    chain = []
    for name in settings.LLM_PROVIDERS:
        provider = provider_get(name.strip().lower())
        if provider is not None and provider.configured:
            chain.append(provider)
    return chain


# --- Circuit breaker (shared cache) ---


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


# --- Calls ---


def _call_with_retries(provider: Provider, request: LLMRequest, *, deadline_at: float) -> str:
    attempt = 0
    while True:
        remaining = deadline_at - time.monotonic()
        if remaining <= 0.05:
            raise ProviderError("deadline reached", permanent=False, kind="timeout")
        try:
            return provider.complete(request, timeout=min(settings.LLM_TIMEOUT_SECONDS, remaining))
        except ProviderError as exc:
            if exc.permanent or attempt >= settings.LLM_MAX_RETRIES:
                raise
            # Retry-After is honoured as given; a wait that would pass the deadline means moving on.
            if exc.retry_after is not None:
                delay = exc.retry_after
            else:
                delay = min(BACKOFF_BASE_SECONDS * 2**attempt, BACKOFF_MAX_SECONDS)
            if time.monotonic() + delay >= deadline_at - 0.05:
                raise
            logger.info("LLM provider %s: %s, retrying in %.2fs", provider.name, exc, delay)
            time.sleep(delay)
            attempt += 1


def _cache_key(provider: Provider, request: LLMRequest) -> str:
    return f"llm:answer:{provider.name}:{hashlib.sha256(provider.model.encode()).hexdigest()[:16]}:{request.cache_digest()}"


@dataclass(frozen=True)
class Completion:
    provider: str
    model: str
    text: str
    value: Any
    cached: bool


def complete(
    request: LLMRequest, *, accept: Callable[[str], T | None], deadline_seconds: float | None = None
) -> Completion | None:
    """Ask each configured provider in turn until one returns text that ``accept`` turns into a value.

    ``accept`` parses and grounds the model's output; returning None rejects it (the next provider
    is asked). Returns None when the chain is exhausted, so the caller falls back to the built-in
    responder. Never raises for provider failures.
    """
    deadline_seconds = settings.LLM_DEADLINE_SECONDS if deadline_seconds is None else deadline_seconds
    deadline_at = time.monotonic() + deadline_seconds
    for provider in providers_configured():
        key = _cache_key(provider, request)
        cached_text = cache.get(key)
        metrics.cache_event(cache="llm", hit=cached_text is not None)
        if cached_text is not None:
            value = accept(cached_text)
            if value is not None:
                return Completion(provider.name, provider.model, cached_text, value, cached=True)
        if not circuit_allows(provider.name):
            metrics.llm_call(provider=provider.name, outcome="skipped")
            continue
        if deadline_at - time.monotonic() <= 0.05:
            break
        try:
            text = _call_with_retries(provider, request, deadline_at=deadline_at)
        except ProviderError as exc:
            logger.warning("LLM provider %s failed: %s", provider.name, exc)
            metrics.llm_call(provider=provider.name, outcome=exc.kind)
            circuit_record_failure(provider.name)
            continue
        circuit_record_success(provider.name)
        value = accept(text)
        if value is None:
            # The provider works but its answer cannot be shown (e.g. nothing grounded left).
            logger.warning("LLM provider %s: answer rejected by grounding", provider.name)
            metrics.llm_call(provider=provider.name, outcome="error")
            continue
        metrics.llm_call(provider=provider.name, outcome="ok")
        cache.set(key, text, timeout=settings.LLM_ANSWER_CACHE_TTL)
        return Completion(provider.name, provider.model, text, value, cached=False)
    return None
