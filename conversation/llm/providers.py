"""The two provider adapters, on the official SDKs: ``openai`` (chat completions; also Ollama, vLLM,
llama.cpp servers through ``OPENAI_BASE_URL``) and ``anthropic`` (Messages API).

Each adapter makes exactly one HTTP attempt per call (SDK ``max_retries=0``) with the timeout it is
given; retries, backoff and the overall deadline belong to ``conversation.llm.calls``. Every SDK
error is turned into a ``ProviderError`` that says whether it is worth retrying.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

# The SDKs are imported on first use, not with this module: together they take seconds and ~80 MB to
# import, which no process without a configured provider (the default) should pay.
# Local OpenAI-compatible servers take no key, but the SDK insists on one.
LOCAL_PLACEHOLDER_KEY = "no-key-required"
_TRANSIENT_STATUS = frozenset({408, 409, 425, 429})


@dataclass(frozen=True)
class LLMRequest:
    """One prompt. With ``schema`` the reply is a JSON object of that shape (structured output)."""

    system: str
    user: str
    max_tokens: int = 700
    temperature: float = 0.2
    schema: dict[str, Any] | None = field(default=None, compare=False)
    schema_name: str = "reply"
    schema_description: str = ""

    def cache_digest(self) -> str:
        raw = json.dumps(
            [self.system, self.user, self.max_tokens, self.temperature, self.schema, self.schema_name],
            ensure_ascii=False,
            sort_keys=True,
        )
        return hashlib.sha256(raw.encode()).hexdigest()


class ProviderError(Exception):
    """A failed provider call. ``permanent`` errors are not retried (bad key, bad request, bad body)."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        kind: str = "error",
        retry_after: float | None = None,
        status: int | None = None,
    ):
        super().__init__(message)
        self.permanent = permanent
        self.kind = kind  # "error" or "timeout" (the metrics outcome)
        self.retry_after = retry_after
        self.status = status  # the HTTP status, when the provider answered with an error


def anthropic_version() -> str:
    """The ``anthropic-version`` the SDK sends (the SDK owns the wire version)."""
    from anthropic._constants import ANTHROPIC_API_VERSION

    return ANTHROPIC_API_VERSION


def _retry_after(headers: Any) -> float | None:
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) / divisor
        except ValueError:
            continue  # an HTTP date: our own backoff applies
        if math.isfinite(seconds):
            return max(0.0, seconds)
    return None


def provider_error(exc: Exception) -> ProviderError:
    """The SDK's exception as a ProviderError: timeouts, connection errors, 408/409/425/429 and 5xx are transient."""
    if isinstance(exc, ProviderError):
        return exc
    import anthropic  # already loaded: the exception came from an SDK call
    import httpx2
    import openai

    if isinstance(exc, openai.APITimeoutError | anthropic.APITimeoutError | httpx2.TimeoutException):
        return ProviderError(f"timeout: {exc.__class__.__name__}", permanent=False, kind="timeout")
    if isinstance(exc, openai.APIStatusError | anthropic.APIStatusError):
        code = exc.status_code
        # An ``error`` event inside a 200 stream (overloaded mid-answer) is the server's trouble too.
        transient = code in _TRANSIENT_STATUS or code >= 500 or code < 400
        return ProviderError(
            f"HTTP {code}",
            permanent=not transient,
            retry_after=_retry_after(exc.response.headers) if transient else None,
            status=code,
        )
    if isinstance(exc, openai.APIConnectionError | anthropic.APIConnectionError | httpx2.TransportError):
        return ProviderError(f"transport: {exc.__class__.__name__}", permanent=False)
    # Malformed bodies (JSONDecodeError, validation errors) and anything else: retrying will not help.
    return ProviderError(f"bad response: {exc.__class__.__name__}", permanent=True)


def _nonempty(text: Any) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ProviderError("empty completion", permanent=True)
    return text


class Provider:
    """One LLM provider. ``complete`` returns the reply text (JSON text for a schema request) or raises
    ProviderError; ``stream`` yields text deltas and raises ProviderError when the call fails."""

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

    def stream(self, request: LLMRequest, *, timeout: float) -> Iterator[str]:
        raise NotImplementedError


# SDK clients hold a connection pool: one per (provider, base URL, key), built lazily in each process.
_clients: dict[tuple, Any] = {}


def _client(kind: str, base_url: str, api_key: str):
    key = (kind, base_url, hashlib.sha256(api_key.encode()).hexdigest())
    client = _clients.get(key)
    if client is None:
        if len(_clients) >= 8:
            _clients.clear()
        if kind == "openai":
            import openai

            client = openai.OpenAI(base_url=base_url, api_key=api_key or LOCAL_PLACEHOLDER_KEY, max_retries=0)
        else:
            import anthropic

            client = anthropic.Anthropic(base_url=base_url, api_key=api_key, max_retries=0)
        _clients[key] = client
    return client


class OpenAIProvider(Provider):
    """OpenAI-compatible chat completions; structured output through ``response_format`` json_schema."""

    name = "openai"

    @property
    def configured(self) -> bool:
        # Local servers need no key; the hosted API does.
        return bool(self.base_url and self.model) and (bool(self.api_key) or "api.openai.com" not in self.base_url)

    def _params(self, request: LLMRequest) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": "system", "content": request.system}, {"role": "user", "content": request.user}],
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
        }
        if request.schema is not None:
            params["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": request.schema_name, "schema": request.schema, "strict": True},
            }
        return params

    def complete(self, request: LLMRequest, *, timeout: float) -> str:
        client = _client("openai", self.base_url, self.api_key)
        try:
            response = client.chat.completions.create(**self._params(request), timeout=timeout)
            choice = response.choices[0]
            content = choice.message.content
        except (IndexError, AttributeError, TypeError) as exc:
            raise ProviderError("no choices[0].message.content", permanent=True) from exc
        except Exception as exc:
            raise provider_error(exc) from exc
        if content is None and getattr(choice.message, "refusal", None):
            raise ProviderError("the model refused", permanent=True)
        return _nonempty(content)

    def stream(self, request: LLMRequest, *, timeout: float) -> Iterator[str]:
        client = _client("openai", self.base_url, self.api_key)
        try:
            chunks = client.chat.completions.create(**self._params(request), stream=True, timeout=timeout)
            with chunks:
                for chunk in chunks:
                    for choice in chunk.choices or []:
                        delta = choice.delta.content if choice.delta is not None else None
                        if delta:
                            yield delta
        except ProviderError:
            raise
        except Exception as exc:
            raise provider_error(exc) from exc


class AnthropicProvider(Provider):
    """Anthropic Messages API; structured output as a forced tool call whose input is the JSON object."""

    name = "anthropic"

    @property
    def configured(self) -> bool:
        return bool(self.base_url and self.api_key and self.model)

    def _params(self, request: LLMRequest) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": self.model,
            "max_tokens": request.max_tokens,
            # No temperature: the SDK no longer takes one (current models fix their own sampling).
            "system": request.system,
            "messages": [{"role": "user", "content": request.user}],
        }
        if request.schema is not None:
            params["tools"] = [
                {
                    "name": request.schema_name,
                    "description": request.schema_description or "Report the result.",
                    "input_schema": request.schema,
                }
            ]
            params["tool_choice"] = {"type": "tool", "name": request.schema_name}
        return params

    def complete(self, request: LLMRequest, *, timeout: float) -> str:
        client = _client("anthropic", self.base_url, self.api_key)
        try:
            message = client.messages.create(**self._params(request), timeout=timeout)
            blocks = list(message.content or [])
        except Exception as exc:
            raise provider_error(exc) from exc
        if request.schema is not None:
            for block in blocks:
                if block.type == "tool_use" and block.name == request.schema_name:
                    return json.dumps(block.input)
            raise ProviderError("no tool_use block", permanent=True)
        return _nonempty("".join(block.text for block in blocks if block.type == "text"))

    def stream(self, request: LLMRequest, *, timeout: float) -> Iterator[str]:
        client = _client("anthropic", self.base_url, self.api_key)
        try:
            with client.messages.stream(**self._params(request), timeout=timeout) as events:
                for event in events:
                    if event.type == "content_block_delta" and event.delta.type == "text_delta" and event.delta.text:
                        yield event.delta.text
        except ProviderError:
            raise
        except Exception as exc:
            raise provider_error(exc) from exc


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
