"""Link checking: are datasets' landing pages and distribution URLs still there?

``check_urls`` (pure async I/O, no database) asks every URL with httpx: bounded concurrency
(LINK_CHECK_CONCURRENCY), at most LINK_CHECK_PER_HOST requests at a time to one host and
request starts to one host at least LINK_CHECK_PER_HOST_INTERVAL_SECONDS apart (politeness), an
optional overall deadline (URLs not answered by then are left out), a per-request timeout (LINK_CHECK_TIMEOUT_SECONDS) and a redirect limit
(LINK_CHECK_MAX_REDIRECTS). It sends HEAD first and falls back to GET (body not downloaded)
when a server answers 405, 403 or 501 to HEAD, as many do.

Classification (``Dataset.LinkStatus``):
- ``ok``: a 2xx answer without redirects; ``redirect``: a 2xx answer after redirects;
- ``broken``: an HTTP error status (4xx or 5xx), kept in ``link_http_code``;
- ``error``: no usable answer: timeout, connection refused, DNS failure, TLS error, redirect
  loop / too many redirects, invalid URL.

``links_check`` (the service used by the Celery task and ``manage.py check_links``) picks the
datasets, checks their URLs once each, stores status, HTTP code and time on Dataset (landing
URL) and Distribution rows, then recomputes the quality of the datasets it touched and tells
search they changed. A dataset's own ``link_status`` is that of its landing URL; a dataset
without a landing URL takes the best status of its distributions. A dataset with a URL that the
deadline cut off is left as it was (checked next time). ``links_check_after_bootstrap`` queues the
first, bounded check of a freshly loaded catalog.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from catalog import metrics
from catalog.models import Dataset, Distribution
from catalog.services import quality_recompute
from catalog.signals import datasets_changed_send

logger = logging.getLogger(__name__)

HEAD_FALLBACK_CODES = frozenset({403, 405, 501})
USER_AGENT = "DatasetResearchAssistant-LinkCheck/1.0 (+catalog link health)"
# Best first, for picking a dataset's status from its distributions.
_STATUS_RANK = {"ok": 0, "redirect": 1, "broken": 2, "error": 3, "unknown": 4}


@dataclass(frozen=True)
class LinkResult:
    url: str
    status: str  # a Dataset.LinkStatus value
    http_code: int | None
    error: str = ""
    seconds: float = 0.0


@dataclass
class LinkCheckReport:
    datasets: int = 0
    urls: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {"datasets": self.datasets, "urls": self.urls, "outcomes": dict(self.outcomes), "seconds": self.seconds}


def classify(response: httpx.Response) -> str:
    code = response.status_code
    if code >= 400:
        return "broken"
    if 200 <= code < 300:
        return "redirect" if response.history else "ok"
    return "error"  # a 1xx/3xx that httpx did not follow (e.g. a redirect without Location)


async def _request(client: httpx.AsyncClient, method: str, url: str) -> httpx.Response:
    # stream + close: for GET only the status line and headers are read, never the body.
    async with client.stream(method, url) as response:
        return response


async def check_url(client: httpx.AsyncClient, url: str) -> LinkResult:
    started = time.perf_counter()
    try:
        response = await _request(client, "HEAD", url)
        if response.status_code in HEAD_FALLBACK_CODES:
            response = await _request(client, "GET", url)
        result = LinkResult(url, classify(response), response.status_code)
    except httpx.TooManyRedirects as exc:
        result = LinkResult(url, "error", None, f"too many redirects: {exc}"[:200])
    except httpx.TimeoutException:
        result = LinkResult(url, "error", None, "timeout")
    except httpx.ConnectError as exc:
        reason = (
            "tls error"
            if isinstance(exc.__cause__ or exc.__context__, ssl.SSLError) or "SSL" in str(exc)
            else "connect error"
        )
        result = LinkResult(url, "error", None, f"{reason}: {exc}"[:200])
    except (httpx.HTTPError, httpx.InvalidURL, ValueError, ssl.SSLError) as exc:
        result = LinkResult(url, "error", None, f"{exc.__class__.__name__}: {exc}"[:200])
    return LinkResult(result.url, result.status, result.http_code, result.error, time.perf_counter() - started)


async def check_urls(
    urls: list[str],
    *,
    concurrency: int | None = None,
    per_host: int | None = None,
    timeout: float | None = None,
    max_redirects: int | None = None,
    verify: bool | ssl.SSLContext | None = None,
    per_host_interval: float | None = None,
    deadline: float | None = None,
) -> dict[str, LinkResult]:
    """Check each distinct URL once; returns {url: LinkResult}. Never raises for a bad URL.

    With ``deadline`` (seconds), checks still running then are cancelled and left out of the result.
    """
    concurrency = concurrency or settings.LINK_CHECK_CONCURRENCY
    per_host = per_host or settings.LINK_CHECK_PER_HOST
    timeout = timeout if timeout is not None else settings.LINK_CHECK_TIMEOUT_SECONDS
    max_redirects = max_redirects if max_redirects is not None else settings.LINK_CHECK_MAX_REDIRECTS
    verify = settings.LINK_CHECK_VERIFY_TLS if verify is None else verify
    interval = settings.LINK_CHECK_PER_HOST_INTERVAL_SECONDS if per_host_interval is None else per_host_interval
    distinct = list(dict.fromkeys(u for u in urls if u))
    overall = asyncio.Semaphore(concurrency)
    hosts: dict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(per_host))
    spacing: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
    next_start: dict[str, float] = defaultdict(float)
    results: dict[str, LinkResult] = {}
    async with httpx.AsyncClient(
        follow_redirects=True,
        max_redirects=max_redirects,
        timeout=httpx.Timeout(timeout),
        verify=verify,
        headers={"User-Agent": USER_AGENT, "Accept": "*/*"},
        limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
    ) as client:

        async def one(url: str) -> None:
            host = (urlsplit(url).hostname or "").lower()
            async with hosts[host]:
                if interval > 0:
                    async with spacing[host]:  # one request start per interval and host
                        loop = asyncio.get_running_loop()
                        wait = next_start[host] - loop.time()
                        if wait > 0:
                            await asyncio.sleep(wait)
                        next_start[host] = loop.time() + interval
                async with overall:
                    result = await check_url(client, url)
            results[url] = result
            metrics.link_check(outcome=result.status)

        tasks = [asyncio.ensure_future(one(url)) for url in distinct]
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=deadline)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)
                logger.info("link check deadline: %d of %d URLs left for the next run", len(pending), len(tasks))
    return results


# --- The service -------------------------------------------------------------------------------


def _datasets_to_check(*, limit: int | None, stale_only: bool, dataset_ids: list[int] | None):

    qs = Dataset.objects.all()
    if dataset_ids is not None:
        qs = qs.filter(pk__in=dataset_ids)
    if stale_only:
        cutoff = timezone.now() - timedelta(hours=settings.LINK_CHECK_MAX_AGE_HOURS)
        qs = qs.filter(Q(link_checked_at__isnull=True) | Q(link_checked_at__lt=cutoff))
    qs = qs.order_by(F("link_checked_at").asc(nulls_first=True), "pk")
    if limit:
        qs = qs[:limit]
    return list(qs.prefetch_related("distributions"))


def _best(statuses: list[str]) -> str:
    return min(statuses, key=lambda s: _STATUS_RANK.get(s, 9)) if statuses else "unknown"


def links_check(
    *,
    limit: int | None = None,
    stale_only: bool = False,
    dataset_ids: list[int] | None = None,
    concurrency: int | None = None,
    verify: bool | ssl.SSLContext | None = None,
    deadline: float | None = None,
) -> LinkCheckReport:
    """Check the links of the selected datasets and store the outcome (see module docstring).

    Runs the network part outside any transaction; the writes for all datasets happen in one.
    """

    started = time.perf_counter()
    datasets = _datasets_to_check(limit=limit, stale_only=stale_only, dataset_ids=dataset_ids)
    urls = []
    for dataset in datasets:
        if dataset.landing_url:
            urls.append(dataset.landing_url)
        urls.extend(d.url for d in dataset.distributions.all() if d.url)
    results = asyncio.run(check_urls(urls, concurrency=concurrency, verify=verify, deadline=deadline)) if urls else {}

    now = timezone.now()
    changed_datasets: list[Dataset] = []
    changed_distributions: list[Distribution] = []
    status_changed: list[int] = []
    for dataset in datasets:
        own = [dataset.landing_url, *(d.url for d in dataset.distributions.all())]
        if any(u and u not in results for u in own):
            continue  # cut off by the deadline: left as it was, for the next run
        dist_statuses = []
        for dist in dataset.distributions.all():
            result = results.get(dist.url) if dist.url else None
            if result is None:
                continue
            dist.link_status, dist.link_http_code, dist.link_checked_at = result.status, result.http_code, now
            changed_distributions.append(dist)
            dist_statuses.append(result.status)
        previous = dataset.link_status
        landing = results.get(dataset.landing_url) if dataset.landing_url else None
        if landing is not None:
            dataset.link_status, dataset.link_http_code = landing.status, landing.http_code
        elif dist_statuses:
            dataset.link_status = _best(dist_statuses)
            dataset.link_http_code = None
        else:
            dataset.link_status, dataset.link_http_code = Dataset.LinkStatus.UNKNOWN, None
        dataset.link_checked_at = now
        changed_datasets.append(dataset)
        if dataset.link_status != previous:
            status_changed.append(dataset.pk)

    with transaction.atomic():
        Dataset.objects.bulk_update(
            changed_datasets, ["link_status", "link_http_code", "link_checked_at"], batch_size=500
        )
        Distribution.objects.bulk_update(
            changed_distributions, ["link_status", "link_http_code", "link_checked_at"], batch_size=500
        )
        if status_changed:
            # Quality includes link health; search re-reads the link signals of these datasets.
            _quality_recompute(status_changed)
            datasets_changed_send(dataset_ids=status_changed)

    outcomes: dict[str, int] = defaultdict(int)
    for result in results.values():
        outcomes[result.status] += 1
    report = LinkCheckReport(
        datasets=len(changed_datasets),
        urls=len(results),
        outcomes=dict(outcomes),
        seconds=round(time.perf_counter() - started, 3),
    )
    logger.info("link check: %s", report.to_dict())
    return report


def _quality_recompute(dataset_ids: list[int]) -> None:
    """The catalog's quality formula includes link health (catalog.services.quality_recompute)."""
    quality_recompute(dataset_ids=dataset_ids)
