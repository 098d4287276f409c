"""Calls through the provider chain: retries within a deadline, the circuit breaker, the answer cache.

Our own retry loop, not the SDKs': the SDKs' retries (``max_retries``) sleep up to two minutes on a
Retry-After and give every attempt the full timeout, so they cannot promise an overall deadline.
Here each attempt gets ``min(LLM_TIMEOUT_SECONDS, time left)``, and a Retry-After that would pass the
deadline means moving on to the next provider at once.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache

from conversation import metrics

from .circuit import circuit_allows, circuit_record_failure, circuit_record_success
from .providers import LLMRequest, Provider, ProviderError, provider_error, providers_configured

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

BACKOFF_BASE_SECONDS = 0.25
BACKOFF_MAX_SECONDS = 4.0
_MARGIN = 0.05  # seconds: no attempt starts with less time than this left


def _call_with_retries(provider: Provider, attempt: Callable[[float], R], *, deadline_at: float) -> R:
    """``attempt(timeout)`` until it succeeds, fails permanently, runs out of retries or of time."""
    tries = 0
    while True:
        remaining = deadline_at - time.monotonic()
        if remaining <= _MARGIN:
            raise ProviderError("deadline reached", permanent=False, kind="timeout")
        try:
            return attempt(min(settings.LLM_TIMEOUT_SECONDS, remaining))
        except ProviderError as exc:
            if exc.permanent or tries >= settings.LLM_MAX_RETRIES:
                raise
            # Retry-After is honoured as given; a wait that would pass the deadline means moving on.
            if exc.retry_after is not None:
                delay = exc.retry_after
            else:
                delay = min(BACKOFF_BASE_SECONDS * 2**tries, BACKOFF_MAX_SECONDS)
            if time.monotonic() + delay >= deadline_at - _MARGIN:
                raise
            logger.info("LLM provider %s: %s, retrying in %.2fs", provider.name, exc, delay)
            time.sleep(delay)
            tries += 1


def _cache_key(provider: Provider, request: LLMRequest) -> str:
    model = hashlib.sha256(provider.model.encode()).hexdigest()[:16]
    return f"llm:answer:{provider.name}:{model}:{request.cache_digest()}"


# A schema request refused with these means "no structured output here", not a failing provider.
_SCHEMA_UNSUPPORTED = frozenset({400, 404, 422})
NO_SCHEMA_SECONDS = 3600


def _no_schema_key(provider: Provider) -> str:
    digest = hashlib.sha256(f"{provider.base_url} {provider.model}".encode()).hexdigest()[:16]
    return f"llm:noschema:{provider.name}:{digest}"


def _deadline(deadline_seconds: float | None) -> float:
    seconds = settings.LLM_DEADLINE_SECONDS if deadline_seconds is None else deadline_seconds
    return time.monotonic() + seconds


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
    deadline_at = _deadline(deadline_seconds)
    for provider in providers_configured():
        if request.schema is not None and cache.get(_no_schema_key(provider)):
            continue  # this server rejected structured output lately
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
        if deadline_at - time.monotonic() <= _MARGIN:
            break
        try:
            text = _call_with_retries(
                provider, functools.partial(_complete_once, provider, request), deadline_at=deadline_at
            )
        except ProviderError as exc:
            logger.warning("LLM provider %s failed: %s", provider.name, exc)
            metrics.llm_call(provider=provider.name, outcome=exc.kind)
            if request.schema is not None and exc.status in _SCHEMA_UNSUPPORTED:
                # A local server without structured output: stop asking it for that; its answers still work.
                cache.set(_no_schema_key(provider), 1, timeout=NO_SCHEMA_SECONDS)
            else:
                circuit_record_failure(provider.name)
            continue
        circuit_record_success(provider.name)
        value = accept(text)
        if value is None:
            # The provider works but its answer cannot be used (nothing grounded left, an invalid value).
            logger.warning("LLM provider %s: answer rejected", provider.name)
            metrics.llm_call(provider=provider.name, outcome="rejected")
            continue
        metrics.llm_call(provider=provider.name, outcome="ok")
        cache.set(key, text, timeout=settings.LLM_ANSWER_CACHE_TTL)
        return Completion(provider.name, provider.model, text, value, cached=False)
    return None


def complete_json(
    request: LLMRequest, *, accept: Callable[[dict], T | None], deadline_seconds: float | None = None
) -> Completion | None:
    """``complete`` for a request with a ``schema``: ``accept`` gets the reply as a dict (JSON object)."""
    if request.schema is None:
        raise ValueError("complete_json needs a request with a schema")

    def parse(text: str) -> T | None:
        try:
            data = json.loads(text)
        except ValueError:
            return None
        return accept(data) if isinstance(data, dict) else None

    return complete(request, accept=parse, deadline_seconds=deadline_seconds)


# --- Streaming ---


class TextStream:
    """Text deltas from the first provider in the chain that starts answering.

    Iterate it for the deltas (``str``). Before a provider's first delta, failures are retried and
    fall through to the next provider exactly as in ``complete``; a provider that fails after it
    started (connection lost, an ``error`` event, the deadline) ends the stream: the text already
    sent cannot be taken back, so no other provider starts over. After iteration:

    - ``status``: ``"ok"`` (complete answer), ``"interrupted"`` (cut off mid-answer) or
      ``"exhausted"`` (no provider answered: nothing was yielded, use the built-in responder);
    - ``provider``, ``model``: who answered (empty when exhausted); ``text``: everything yielded;
      ``cached``: the whole answer came from the answer cache (one delta).

    The deadline is checked at every delta; a stream that stalls ends after the attempt's read
    timeout (``LLM_TIMEOUT_SECONDS``, capped by the time left when it started).

    A complete answer is cached under the same key ``complete`` uses for the same request, when
    ``accept`` (if given) takes it: like ``complete``, a reply that cannot be used (nothing grounded
    left) is not cached, and a cached reply ``accept`` rejects is not replayed.
    """

    def __init__(
        self,
        request: LLMRequest,
        *,
        deadline_seconds: float | None = None,
        accept: Callable[[str], object] | None = None,
    ):
        self.request = request
        self.accept = accept
        self.deadline_at = _deadline(deadline_seconds)
        self.status = "pending"
        self.provider = ""
        self.model = ""
        self.text = ""
        self.cached = False

    def __iter__(self) -> Iterator[str]:
        if self.status != "pending":
            raise RuntimeError("a TextStream can be iterated once")
        self.status = "exhausted"
        for provider in providers_configured():
            key = _cache_key(provider, self.request)
            cached_text = cache.get(key)
            metrics.cache_event(cache="llm", hit=cached_text is not None)
            if cached_text is not None and self._accepts(cached_text):
                self._started(provider, cached=True)
                self.text, self.status = cached_text, "ok"
                yield cached_text
                return
            if not circuit_allows(provider.name):
                metrics.llm_call(provider=provider.name, outcome="skipped")
                continue
            if self.deadline_at - time.monotonic() <= _MARGIN:
                break
            try:
                first, rest = _call_with_retries(
                    provider, functools.partial(_first_delta, provider, self.request), deadline_at=self.deadline_at
                )
            except ProviderError as exc:
                logger.warning("LLM provider %s failed before streaming: %s", provider.name, exc)
                metrics.llm_call(provider=provider.name, outcome=exc.kind)
                circuit_record_failure(provider.name)
                continue
            self._started(provider, cached=False)
            yield from self._relay(provider, first, rest, key)
            return

    def _accepts(self, text: str) -> bool:
        return self.accept is None or self.accept(text) is not None

    def _started(self, provider: Provider, *, cached: bool) -> None:
        self.provider, self.model, self.cached = provider.name, provider.model, cached
        self.status = "streaming"  # stays so if the consumer stops early

    def _relay(self, provider: Provider, first: str, rest: Iterator[str], key: str) -> Iterator[str]:
        self.text = first
        yield first
        try:
            for delta in rest:
                if time.monotonic() > self.deadline_at:
                    raise ProviderError("deadline reached mid-stream", permanent=False, kind="timeout")
                self.text += delta
                yield delta
        except Exception as exc:
            error = provider_error(exc)
            logger.warning("LLM provider %s failed mid-stream: %s", provider.name, error)
            metrics.llm_call(provider=provider.name, outcome=error.kind)
            circuit_record_failure(provider.name)
            self.status = "interrupted"
            return
        finally:
            close = getattr(rest, "close", None)
            if close is not None:
                close()  # releases the connection when the consumer stops early
        circuit_record_success(provider.name)
        self.status = "ok"
        if not self._accepts(self.text):
            logger.warning("LLM provider %s: streamed answer rejected", provider.name)
            metrics.llm_call(provider=provider.name, outcome="rejected")
            return
        metrics.llm_call(provider=provider.name, outcome="ok")
        cache.set(key, self.text, timeout=settings.LLM_ANSWER_CACHE_TTL)


def _complete_once(provider: Provider, request: LLMRequest, timeout: float) -> str:
    return provider.complete(request, timeout=timeout)


def _first_delta(provider: Provider, request: LLMRequest, timeout: float) -> tuple[str, Iterator[str]]:
    deltas = provider.stream(request, timeout=timeout)
    try:
        first = next(deltas)
    except StopIteration:
        raise ProviderError("empty completion", permanent=True) from None
    return first, deltas


def stream(
    request: LLMRequest, *, deadline_seconds: float | None = None, accept: Callable[[str], object] | None = None
) -> TextStream:
    """A ``TextStream`` for ``request``: iterate it for text deltas, then read its ``status``.

    ``accept`` (text -> a value, or None to reject) decides whether a complete reply is cached."""
    return TextStream(request, deadline_seconds=deadline_seconds, accept=accept)
