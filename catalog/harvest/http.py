"""The one adapter harvesters use to talk HTTP to a portal: polite, bounded, retried.

- a timeout per request (HARVEST_TIMEOUT_SECONDS) and our User-Agent (HARVEST_USER_AGENT);
- a rate limit: at least HARVEST_MIN_INTERVAL_SECONDS between two requests of one client;
- retries with exponential backoff (HARVEST_BACKOFF_SECONDS, doubled per try, HARVEST_RETRIES
  tries) on 429, 5xx, timeouts and connection errors; a ``Retry-After`` header (seconds or an
  HTTP date) is honoured, capped at HARVEST_MAX_RETRY_AFTER_SECONDS;
- redirects followed by hand, at most HARVEST_MAX_REDIRECTS; a redirect to another host is
  refused unless the source allows it (config ``allow_cross_host_redirects``): a harvest source
  names one portal, and an unexpected hop elsewhere (a moved portal, a captive page) should be
  looked at by a curator rather than silently harvested;
- a response body cap (HARVEST_MAX_RESPONSE_BYTES);
- conditional requests: ``If-None-Match`` / ``If-Modified-Since`` when asked; 304 is an answer.

Failures raise :class:`FetchError` with a curator-readable reason; the run records it.
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})


class FetchError(Exception):
    """A request that failed for good (after retries): the page is recorded as failed."""


@dataclass
class Fetched:
    url: str  # the final URL, after redirects
    status: int
    content: bytes
    headers: httpx.Headers

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def json(self) -> Any:
        import json

        try:
            return json.loads(self.content)
        except (ValueError, UnicodeDecodeError) as exc:
            raise FetchError(f"malformed JSON from {self.url}: {str(exc)[:120]}") from None


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date); None if absent/unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class HarvestClient:
    """One per run. Not thread-safe (a run is sequential: politeness first)."""

    def __init__(self, *, allow_cross_host_redirects: bool = False) -> None:
        self.allow_cross_host_redirects = allow_cross_host_redirects
        self.requests = 0
        self.retries = 0
        self._last_request = 0.0
        self._client = httpx.Client(
            timeout=settings.HARVEST_TIMEOUT_SECONDS,
            follow_redirects=False,
            headers={"User-Agent": settings.HARVEST_USER_AGENT, "Accept-Encoding": "gzip, deflate"},
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HarvestClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _pause(self) -> None:
        wait = settings.HARVEST_MIN_INTERVAL_SECONDS - (time.monotonic() - self._last_request)
        if wait > 0:
            time.sleep(wait)
        self._last_request = time.monotonic()

    def get(
        self,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        accept: str = "application/json",
    ) -> Fetched:
        """GET with retries and checked redirects. A 304 returns; any other non-2xx raises FetchError."""
        all_headers = {"Accept": accept, **(headers or {})}
        start_host = urlsplit(url).hostname
        for _hop in range(settings.HARVEST_MAX_REDIRECTS + 1):
            response = self._get_retrying(url, params=params, headers=all_headers)
            if response.status not in REDIRECT_STATUS:
                break
            location = response.headers.get("Location")
            if not location:
                raise FetchError(f"HTTP {response.status} without a Location from {url}")
            target = urljoin(response.url, location)
            target_host = urlsplit(target).hostname
            if target_host != start_host and not self.allow_cross_host_redirects:
                raise FetchError(
                    f"redirect to another host refused ({start_host} -> {target_host}); "
                    'set "allow_cross_host_redirects": true in the source config to follow it'
                )
            url, params = target, None  # the Location carries its own query
        else:
            raise FetchError(f"more than {settings.HARVEST_MAX_REDIRECTS} redirects from {url}")
        if response.status != 304 and not 200 <= response.status < 300:
            raise FetchError(f"HTTP {response.status} from {response.url}")
        return response

    def _get_retrying(self, url: str, *, params, headers) -> Fetched:
        tries = max(1, settings.HARVEST_RETRIES)
        for attempt in range(tries):
            self._pause()
            self.requests += 1
            wait = settings.HARVEST_BACKOFF_SECONDS * (2**attempt)
            try:
                response = self._send(url, params=params, headers=headers)
            except httpx.TimeoutException:
                reason = f"timed out after {settings.HARVEST_TIMEOUT_SECONDS:g}s"
            except httpx.TransportError as exc:
                reason = f"connection error: {type(exc).__name__}"
            else:
                if response.status not in RETRY_STATUS:
                    return response
                reason = f"HTTP {response.status}"
                after = retry_after_seconds(response.headers.get("Retry-After"))
                if after is not None:
                    wait = min(after, settings.HARVEST_MAX_RETRY_AFTER_SECONDS)
            if attempt + 1 < tries:
                self.retries += 1
                time.sleep(wait)
        raise FetchError(f"{reason} from {url} (after {tries} tries)")

    def _send(self, url: str, *, params, headers) -> Fetched:
        """One request, reading at most HARVEST_MAX_RESPONSE_BYTES of the body."""
        request = self._client.build_request("GET", url, params=params, headers=headers)
        response = self._client.send(request, stream=True)
        try:
            limit = settings.HARVEST_MAX_RESPONSE_BYTES
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise FetchError(f"response from {url} is larger than {limit} bytes")
                chunks.append(chunk)
        finally:
            response.close()
        return Fetched(str(response.request.url), response.status_code, b"".join(chunks), response.headers)
