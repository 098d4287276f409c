"""LLM provider adapter: the only package that talks to LLM providers, through the official SDKs.

Two wire protocols cover the field: OpenAI-compatible chat completions (``openai`` SDK: OpenAI
itself and local servers such as Ollama, vLLM and llama.cpp via ``OPENAI_BASE_URL``) and the
Anthropic Messages API (``anthropic`` SDK). ``settings.LLM_PROVIDERS`` orders them. Every attempt
has a timeout (``LLM_TIMEOUT_SECONDS``, never more than the time left); timeouts, connection errors,
429 and 5xx are retried with backoff, honouring Retry-After, within an overall deadline
(``LLM_DEADLINE_SECONDS`` or the caller's); other errors are permanent. A provider that keeps failing
is skipped for a cool-down (circuit breaker in the shared cache, so it holds across gunicorn workers
and Celery processes). Answers are cached by (provider, model, prompt hash).

The API (all of it falls back quietly: callers never see a provider error):

- ``complete(request, accept=...) -> Completion | None``: the first provider whose text ``accept``
  turns into a value; None when no provider produced a usable answer (use the built-in responder).
- ``complete_json(request, accept=...)``: the same for a request with a JSON ``schema`` (structured
  output: OpenAI ``response_format`` json_schema, Anthropic forced tool call); ``accept`` gets a dict.
- ``stream(request) -> TextStream``: iterate for text deltas (``str``) as the model writes them;
  afterwards ``status`` is ``ok``, ``interrupted`` (a provider failed mid-answer: what was yielded
  stays, no other provider starts over) or ``exhausted`` (nothing yielded: use the built-in
  responder), and ``provider``/``model`` say who answered (known only once it started: read them
  after iterating). ``accept`` decides, as in ``complete``, whether a finished reply is cached.
  This is the model stream the answer task uses by default (``conversation.answering.
  llm_stream_opener``); grounding and publishing the summary happen there, not here.
- ``providers_configured()``, ``provider_health()`` (for /api/health), ``circuit_state(name)``.

Modules: ``providers`` (SDK adapters, error classification), ``circuit`` (breaker, health),
``calls`` (retries, deadline, cache, streaming).
"""

from __future__ import annotations

from .calls import Completion, TextStream, complete, complete_json, stream
from .circuit import (
    circuit_allows,
    circuit_record_failure,
    circuit_record_success,
    circuit_state,
    provider_health,
)
from .providers import (
    AnthropicProvider,
    LLMRequest,
    OpenAIProvider,
    Provider,
    ProviderError,
    anthropic_version,
    provider_get,
    providers_configured,
)

__all__ = [
    "AnthropicProvider",
    "Completion",
    "LLMRequest",
    "OpenAIProvider",
    "Provider",
    "ProviderError",
    "TextStream",
    "anthropic_version",
    "circuit_allows",
    "circuit_record_failure",
    "circuit_record_success",
    "circuit_state",
    "complete",
    "complete_json",
    "provider_get",
    "provider_health",
    "providers_configured",
    "stream",
]
