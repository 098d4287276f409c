"""Fetching a distribution's file for its preview: every step bounded, nothing executed.

- one wall-clock deadline over the whole fetch (``PREVIEW_DEADLINE_SECONDS``: redirects, the data.gov.sg
  download flow, every byte), enforced by ``asyncio.timeout`` so a server that drips a byte at a time
  (each read well within the per-read timeout) is cut off all the same;
- a per-read and connect timeout (``PREVIEW_TIMEOUT_SECONDS``);
- redirects followed by hand, at most ``PREVIEW_MAX_REDIRECTS``, a loop refused at once;
- at most ``PREVIEW_MAX_BYTES`` written, counted after decompression; the file is streamed to disk;
- gzip/deflate (a ``Content-Encoding`` or a ``.gz`` file) inflated by us in bounded steps: output larger
  than ``PREVIEW_MAX_RATIO`` times its input is refused as a decompression bomb;
- a web page (``text/html``) where a data file should be is refused before its body is read;
- only public addresses are fetched, at every redirect hop (``PREVIEW_ALLOW_PRIVATE_HOSTS`` for tests and
  intranets): a preview shows what it read, and catalog links are untrusted.

data.gov.sg distributions point at its download API (``.../v1/public/api/datasets/<id>/initiate-download``):
the file URL comes from ``initiate-download`` then ``poll-download`` (``{"code": 0, "data": {"status":
"DOWNLOAD_SUCCESS", "url": <signed file URL>}}``), polled every ``PREVIEW_POLL_SECONDS`` within the deadline.

Failures raise :class:`Unavailable`; its text is the reason people see ("unavailable: <reason>").
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import hashlib
import ipaddress
import json
import re
import socket
import ssl
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

import certifi
import httpx
from django.conf import settings

REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
INFLATE_STEP = 1024 * 1024  # most bytes one decompression step may produce
RATIO_CHECK_AFTER = 1024 * 1024  # small files may compress well beyond the ratio
JSON_API_MAX_BYTES = 1024 * 1024
DATAGOVSG_API = re.compile(r"^(?P<base>.*/v1/public/api/datasets/(?P<id>[^/]+))/(?:initiate|poll)-download/?$")
HTML_TYPES = ("text/html", "application/xhtml+xml")


class Unavailable(Exception):
    """The file cannot be previewed; ``str(exc)`` is the reason shown to people. ``transient``: the server
    may well answer later (a timeout, HTTP 429 or 5xx, no connection), so it is tried again sooner."""

    def __init__(self, reason: str, *, transient: bool = False):
        super().__init__(reason)
        self.transient = transient


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    deadline: float
    timeout: float
    max_redirects: int
    max_ratio: int
    poll_seconds: float
    user_agent: str
    datagovsg_api_key: str = ""
    allow_private_hosts: bool = False

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_bytes=settings.PREVIEW_MAX_BYTES,
            deadline=settings.PREVIEW_DEADLINE_SECONDS,
            timeout=settings.PREVIEW_TIMEOUT_SECONDS,
            max_redirects=settings.PREVIEW_MAX_REDIRECTS,
            max_ratio=settings.PREVIEW_MAX_RATIO,
            poll_seconds=settings.PREVIEW_POLL_SECONDS,
            user_agent=settings.PREVIEW_USER_AGENT,
            datagovsg_api_key=settings.PREVIEW_DATAGOVSG_API_KEY,
            allow_private_hosts=settings.PREVIEW_ALLOW_PRIVATE_HOSTS,
        )


@dataclass
class Download:
    path: Path
    written: int  # bytes on disk (decompressed)
    truncated: bool  # stopped at max_bytes
    content_type: str  # the media type, lower case, without parameters
    charset: str  # the charset parameter, if any
    url: str  # the file's final URL, without its query string (signed URLs carry credentials)
    etag: str
    file_size: int | None  # the file's size when known (Content-Length of an unencoded body, or all read)
    sha256: str
    compressed: bool


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context per process: loading the CA bundle costs more than a small preview."""
    return ssl.create_default_context(cafile=certifi.where())


def is_datagovsg_api(url: str) -> bool:
    return bool(DATAGOVSG_API.match(urlsplit(url).path))


def fetch(url: str, dest: Path, *, limits: Limits | None = None, transport: httpx.AsyncBaseTransport | None = None):
    """Download ``url`` (or, for the data.gov.sg API, the file it names) into ``dest``. Raises Unavailable."""
    return _run(fetch_async(url, dest, limits=limits or Limits.from_settings(), transport=transport))


def _run(coroutine):
    """``asyncio.run``, also from a thread whose event loop is running (an async caller such as an ASGI
    view or the MCP server): the coroutine then gets its own loop on a helper thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def fetch_async(
    url: str, dest: Path, *, limits: Limits, transport: httpx.AsyncBaseTransport | None = None
) -> Download:
    async def run(client: httpx.AsyncClient) -> Download:
        file_url = url
        if match := DATAGOVSG_API.match(urlsplit(url).path):
            file_url = await _datagovsg_file_url(client, url, match, limits)
        return await _download(client, file_url, dest, limits)

    return await _bounded(run, limits=limits, transport=transport)


def file_url(url: str, *, limits: Limits | None = None, transport: httpx.AsyncBaseTransport | None = None) -> str:
    """The URL a person downloads: for data.gov.sg's download API the signed file URL it gives (within the
    deadline; raises Unavailable), any other URL as it is."""
    match = DATAGOVSG_API.match(urlsplit(url).path)
    if not match:
        return url
    limits = limits or Limits.from_settings()

    async def run(client: httpx.AsyncClient) -> str:
        return await _datagovsg_file_url(client, url, match, limits)

    return _run(_bounded(run, limits=limits, transport=transport))


async def _bounded(run, *, limits: Limits, transport: httpx.AsyncBaseTransport | None):
    """``await run(client)`` within the deadline, every failure turned into Unavailable."""
    headers = {"User-Agent": limits.user_agent, "Accept-Encoding": "gzip, deflate", "Accept": "*/*"}
    async with httpx.AsyncClient(
        timeout=httpx.Timeout(limits.timeout), follow_redirects=False, headers=headers, transport=transport,
        trust_env=False, verify=_tls_context(),
    ) as client:  # fmt: skip
        try:
            async with asyncio.timeout(limits.deadline):
                return await run(client)
        except TimeoutError:
            raise Unavailable(f"the download took longer than {limits.deadline:g} s") from None
        except httpx.TimeoutException:
            raise Unavailable(f"the server did not answer within {limits.timeout:g} s", transient=True) from None
        except httpx.InvalidURL:
            raise Unavailable("the link is not a valid URL") from None
        except httpx.HTTPError as exc:
            raise Unavailable(f"the server could not be reached ({exc.__class__.__name__})", transient=True) from None


async def _check_target(url: str, limits: Limits) -> None:
    """Only http(s), and (unless allowed) only public addresses: catalog links are untrusted, and a preview
    shows what it read, so a link into our own network (cloud metadata, an internal service) is refused.
    Checked at every hop, on the addresses the name resolves to now."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Unavailable("the link is not an http(s) URL")
    if limits.allow_private_hosts:
        return
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise Unavailable("the server's name does not resolve", transient=True) from None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if not address.is_global or address.is_multicast:
            raise Unavailable("the link points into a private network, which previews never read")


async def _open(
    client: httpx.AsyncClient, url: str, limits: Limits, *, headers: dict[str, str] | None = None
) -> httpx.Response:
    """A streaming GET of ``url`` after redirects (the caller closes it); refuses loops and long chains."""
    seen: set[str] = set()
    for _hop in range(limits.max_redirects + 1):
        await _check_target(url, limits)
        seen.add(url)
        response = await client.send(client.build_request("GET", url, headers=headers), stream=True)
        if response.status_code not in REDIRECT_STATUS:
            return response
        await response.aclose()
        location = response.headers.get("Location")
        if not location:
            raise Unavailable(f"the server answered HTTP {response.status_code} without a Location")
        url = urljoin(url, location)
        if url in seen:
            raise Unavailable("the link redirects in a loop")
    raise Unavailable(f"the link redirects more than {limits.max_redirects} times")


def _status_check(response: httpx.Response, what: str = "the server") -> None:
    code = response.status_code
    if code == 429:
        raise Unavailable(f"{what} is limiting requests (HTTP 429); it is tried again later", transient=True)
    if not 200 <= code < 300:
        raise Unavailable(f"{what} answered HTTP {code}", transient=code >= 500)


async def _get_json(client: httpx.AsyncClient, url: str, limits: Limits) -> dict:
    headers = {"x-api-key": limits.datagovsg_api_key} if limits.datagovsg_api_key else None
    response = await _open(client, url, limits, headers=headers)
    try:
        _status_check(response, "data.gov.sg")
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > JSON_API_MAX_BYTES:
                raise Unavailable("data.gov.sg sent an oversized API answer")
    finally:
        await response.aclose()
    try:
        data = json.loads(bytes(body))
    except ValueError:
        raise Unavailable("data.gov.sg sent an answer that is not JSON") from None
    if not isinstance(data, dict):
        raise Unavailable("data.gov.sg sent an unexpected answer")
    return data


async def _datagovsg_file_url(client: httpx.AsyncClient, url: str, match: re.Match, limits: Limits) -> str:
    """The signed file URL from data.gov.sg's initiate-download / poll-download flow."""
    parts = urlsplit(url)
    base = urlunsplit((parts.scheme, parts.netloc, match.group("base"), "", ""))
    await _get_json(client, f"{base}/initiate-download", limits)  # CSV exports are prepared on request
    while True:
        answer = await _get_json(client, f"{base}/poll-download", limits)
        raw = answer.get("data")
        data: dict = raw if isinstance(raw, dict) else {}
        if answer.get("code") not in (0, None):
            message = str(answer.get("errorMsg") or answer.get("errMsg") or "no download offered")[:150]
            raise Unavailable(f"data.gov.sg: {message}")
        status = str(data.get("status") or "")
        if isinstance(data.get("url"), str) and data["url"] and status in ("", "DOWNLOAD_SUCCESS"):
            return data["url"]
        if "FAIL" in status.upper():
            raise Unavailable(f"data.gov.sg could not prepare the file ({status[:40]})")
        await asyncio.sleep(limits.poll_seconds)


class _Sink:
    """Writes the body to disk: inflates it when compressed, counts, hashes, stops at the cap."""

    def __init__(self, handle, *, limits: Limits, encoding: str):
        self.handle = handle
        self.limits = limits
        self.sha = hashlib.sha256()
        self.written = 0
        self.raw = 0
        self.truncated = False
        self.inflater = self._inflater(encoding) if encoding else None
        self.sniffed = bool(encoding)

    @staticmethod
    def _inflater(encoding: str):
        if encoding in ("gzip", "x-gzip", "deflate"):
            return zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header, detected
        raise Unavailable(f"the server used an unsupported compression ({encoding[:20]})")

    def feed(self, raw: bytes) -> bool:
        """Take one raw chunk; False once the cap is reached (stop reading)."""
        self.raw += len(raw)
        if not self.sniffed:
            self.sniffed = True
            if raw[:2] == b"\x1f\x8b":  # a .gz file: previewed as what it holds
                self.inflater = self._inflater("gzip")
        if self.inflater is None:
            return self._write(raw)
        data = raw
        while data:
            out = self.inflater.decompress(data, INFLATE_STEP)
            data = self.inflater.unconsumed_tail
            if self.inflater.eof and self.inflater.unused_data:  # a multi-member gzip file
                data = self.inflater.unused_data
                self.inflater = self._inflater("gzip")
            if not self._write(out):
                return False
            if self.written > RATIO_CHECK_AFTER and self.written > self.limits.max_ratio * max(self.raw, 1):
                raise Unavailable(
                    f"the compressed file expands more than {self.limits.max_ratio} times (a decompression bomb?)"
                )
        return True

    def _write(self, data: bytes) -> bool:
        room = self.limits.max_bytes - self.written
        if len(data) > room:
            data = data[:room]
            self.truncated = True
        self.handle.write(data)
        self.sha.update(data)
        self.written += len(data)
        return not self.truncated


async def _download(client: httpx.AsyncClient, url: str, dest: Path, limits: Limits) -> Download:
    response = await _open(client, url, limits)
    try:
        _status_check(response)
        content_type, _, params = response.headers.get("Content-Type", "").partition(";")
        content_type = content_type.strip().lower()
        charset = ""
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "charset":
                charset = value.strip().strip('"').lower()[:32]
        if content_type in HTML_TYPES:
            raise Unavailable("the link leads to a web page (text/html), not a data file")
        encoding = response.headers.get("Content-Encoding", "").strip().lower()
        encoding = "" if encoding == "identity" else encoding
        with dest.open("wb") as handle:
            sink = _Sink(handle, limits=limits, encoding=encoding)
            async for raw in response.aiter_raw():
                if not sink.feed(raw):
                    break
    finally:
        await response.aclose()
    declared = response.headers.get("Content-Length", "")
    file_size = int(declared) if declared.isdigit() and not encoding else None
    if file_size is None and not sink.truncated and sink.inflater is None:
        file_size = sink.written
    parts = urlsplit(str(response.url))
    return Download(
        path=dest,
        written=sink.written,
        truncated=sink.truncated,
        content_type=content_type,
        charset=charset,
        url=urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")),
        etag=response.headers.get("ETag", "")[:300],
        file_size=file_size,
        sha256=sink.sha.hexdigest(),
        compressed=sink.inflater is not None,
    )
