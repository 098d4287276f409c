"""Previews of distributions: which ones get one, queueing, and making one (the Celery task's body).

A distribution is previewable when its URL is http(s) and its format (or, without one, its URL's
extension) is CSV, TSV, JSON, GeoJSON, XLSX or Parquet. Its preview is *current* when it was made from
the distribution's present URL and its dataset's present modification time; ``previews_queue`` marks
the others pending and queues them (missing, changed, unavailable past its ``retry_at`` — after
``PREVIEW_RETRY_HOURS``, or ``PREVIEW_RETRY_TRANSIENT_HOURS`` for a timeout, HTTP 429 or 5xx — or lost while
pending for an hour), once the transaction commits.
"""

from __future__ import annotations

import dataclasses
import logging
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from catalog import metrics
from catalog.columns import merge_columns, portal_columns
from catalog.models import Dataset, Distribution, DistributionPreview
from catalog.previews.fetch import Limits, Unavailable, fetch, file_url
from catalog.previews.profile import profile_download
from catalog.signals import datasets_changed_send

logger = logging.getLogger(__name__)

PREVIEWABLE_FORMATS = ("CSV", "TSV", "JSON", "GEOJSON", "XLSX", "PARQUET")
EXTENSIONS = {
    ".csv": "CSV", ".tsv": "TSV", ".json": "JSON", ".geojson": "GEOJSON", ".xlsx": "XLSX", ".parquet": "PARQUET",
}  # fmt: skip
PENDING_LOST_AFTER = timedelta(hours=1)
DOWNLOAD_DEADLINE_SECONDS = 15.0  # a person waits for data.gov.sg to prepare the file, but not for ever
PREVIEW_TASK = "catalog.preview_refresh"


def distribution_format(distribution: Distribution) -> str:
    """The format a preview expects: the declared one, else the URL's extension ("" when unknown)."""
    declared = (distribution.format or "").strip().upper()
    if declared:
        return declared
    path = urlsplit(distribution.url or "").path.lower().removesuffix(".gz")
    return next((fmt for ext, fmt in EXTENSIONS.items() if path.endswith(ext)), "")


def is_previewable(distribution: Distribution) -> bool:
    return urlsplit(distribution.url or "").scheme in ("http", "https") and (
        distribution_format(distribution) in PREVIEWABLE_FORMATS
    )


def preview_for(distribution: Distribution) -> DistributionPreview | None:
    """The stored preview of a distribution (any status), or None."""
    try:
        return distribution.preview
    except DistributionPreview.DoesNotExist:
        return None


def preview_is_current(preview: DistributionPreview, distribution: Distribution) -> bool:
    return (
        preview.source_url == distribution.url
        and preview.source_modified == distribution.dataset.source_modified_at
        and preview.status != DistributionPreview.Status.PENDING
    )


def dataset_previews(dataset: Dataset) -> list[tuple[Distribution, DistributionPreview | None]]:
    """The dataset's previewable distributions with their previews (``distributions`` may be prefetched)."""
    distributions = [d for d in dataset.distributions.all() if is_previewable(d)]
    previews = {p.distribution_id: p for p in DistributionPreview.objects.filter(distribution__in=distributions)}
    return [(d, previews.get(d.pk)) for d in distributions]


def columns_for(dataset: Dataset) -> list[dict]:
    """The dataset's columns: those of its ready previews (with type and profile), then those its portal
    describes, each name once. Each entry has at least ``name``."""
    groups = [
        list(cols or [])
        for cols in DistributionPreview.objects.filter(
            distribution__dataset=dataset, status=DistributionPreview.Status.READY
        )
        .order_by("distribution_id")
        .values_list("columns", flat=True)
    ]
    groups.append(portal_columns(dataset.extra))
    return merge_columns(groups)


def column_names_by_dataset(dataset_ids: list[int] | None = None) -> dict[int, list[str]]:
    """Column names per dataset (ready previews, then portal metadata), for the search index."""
    previews = DistributionPreview.objects.filter(status=DistributionPreview.Status.READY)
    datasets = Dataset.objects.filter(extra__has_key="columns")
    if dataset_ids is not None:
        previews = previews.filter(distribution__dataset_id__in=dataset_ids)
        datasets = datasets.filter(pk__in=dataset_ids)
    groups: dict[int, list[list[dict]]] = {}
    for dataset_id, columns in previews.order_by("distribution_id").values_list("distribution__dataset_id", "columns"):
        groups.setdefault(dataset_id, []).append([c for c in columns or [] if isinstance(c, dict)])
    for dataset_id, extra in datasets.values_list("pk", "extra"):
        groups.setdefault(dataset_id, []).append(portal_columns(extra))
    return {ds: [c["name"] for c in merge_columns(g)] for ds, g in groups.items()}


def _to_queue(
    *, dataset_ids: list[int] | None, limit: int | None, force: bool, distribution_ids: list[int] | None = None
) -> list[Distribution]:
    now = timezone.now()
    qs = Distribution.objects.select_related("dataset", "preview").filter(
        Q(format__in=PREVIEWABLE_FORMATS) | Q(format=""), url__regex=r"^https?://"
    )
    if distribution_ids is not None:
        qs = qs.filter(pk__in=distribution_ids)
    elif dataset_ids is not None:
        qs = qs.filter(dataset_id__in=dataset_ids)
    else:
        qs = qs.filter(dataset__status=Dataset.Status.ACTIVE)
    chosen = []
    for dist in qs.order_by("pk").iterator(chunk_size=1000):
        if not is_previewable(dist):
            continue
        preview = preview_for(dist)
        if preview is None or force:
            due = True
        elif preview.status == DistributionPreview.Status.PENDING:
            due = preview.queued_at is None or preview.queued_at < now - PENDING_LOST_AFTER
        elif preview.source_url != dist.url or preview.source_modified != dist.dataset.source_modified_at:
            due = True
        else:
            due = preview.status == DistributionPreview.Status.UNAVAILABLE and (
                preview.retry_at is None or preview.retry_at <= now
            )
        if due:
            chosen.append(dist)
            if limit and len(chosen) >= limit:
                break
    return chosen


def previews_due(*, dataset_ids: list[int] | None = None, limit: int | None = None, force: bool = False) -> list[int]:
    """The distributions ``previews_queue`` would queue (ids), without queueing them."""
    return [d.pk for d in _to_queue(dataset_ids=dataset_ids, limit=limit, force=force)]


def previews_queue(
    *,
    dataset_ids: list[int] | None = None,
    limit: int | None = None,
    force: bool = False,
    distribution_ids: list[int] | None = None,
) -> list[int]:
    """Mark pending, and queue once the transaction commits, the previews that are missing or not current
    (see the module docstring); ``force`` queues every previewable distribution. Returns their ids."""
    chosen = _to_queue(dataset_ids=dataset_ids, limit=limit, force=force, distribution_ids=distribution_ids)
    if not chosen:
        return []
    now = timezone.now()
    ids = [d.pk for d in chosen]
    with transaction.atomic():
        existing = set(
            DistributionPreview.objects.filter(distribution_id__in=ids).values_list("distribution_id", flat=True)
        )
        DistributionPreview.objects.filter(distribution_id__in=existing).update(
            status=DistributionPreview.Status.PENDING, queued_at=now
        )
        DistributionPreview.objects.bulk_create(
            [
                DistributionPreview(distribution=d, status=DistributionPreview.Status.PENDING, source_url=d.url,
                                    queued_at=now)
                for d in chosen
                if d.pk not in existing
            ]
        )  # fmt: skip
        transaction.on_commit(lambda: _send(ids, force=force))
    return ids


def previews_follow_changes(*, dataset_ids: list[int], previewed: set[int] | None = None) -> list[int]:
    """After an import or harvest changed these datasets: requeue the previews that exist and are no longer
    current (a changed URL or modification time; new distributions of those datasets too). ``previewed``:
    datasets whose previewed distribution was just replaced. Datasets never previewed are left to the
    periodic run and to page views."""
    have = set(
        DistributionPreview.objects.filter(distribution__dataset_id__in=dataset_ids).values_list(
            "distribution__dataset_id", flat=True
        )
    )
    ids = sorted(have | (previewed or set()))
    return previews_queue(dataset_ids=ids) if ids else []


def _send(ids: list[int], *, force: bool) -> None:
    # By name from the registry: catalog.tasks imports this module (eager mode is honoured all the same).
    task = current_app.tasks[PREVIEW_TASK]
    for distribution_id in ids:
        try:
            task.apply_async(args=[distribution_id], kwargs={"force": force})
        except Exception:  # a broker outage: the periodic run finds them pending later
            logger.exception("could not queue the preview of distribution %s", distribution_id)
            return


def _unavailable(reason: str, *, transient: bool = False) -> dict:
    hours = settings.PREVIEW_RETRY_TRANSIENT_HOURS if transient else settings.PREVIEW_RETRY_HOURS
    return {
        "status": DistributionPreview.Status.UNAVAILABLE,
        "reason": reason[:300],
        "retry_at": timezone.now() + timedelta(hours=hours),
        "columns": [],
        "rows": [],
        "row_count": None,
        "rows_profiled": None,
        "truncated": False,
        "file_format": "",
        "encoding": "",
        "notes": [],
        "file_size": None,
        "file_url": "",
        "etag": "",
        "checksum": "",
    }


def preview_make(url: str, *, declared_format: str, limits: Limits | None = None) -> dict:
    """Fetch and profile ``url``: the DistributionPreview field values, ready or unavailable. No database."""
    limits = limits or Limits.from_settings()
    with tempfile.TemporaryDirectory(prefix="ra-preview-") as tmp:
        workdir = Path(tmp)
        try:
            download = fetch(url, workdir / "download", limits=limits)
            profile = profile_download(
                download,
                declared_format=declared_format,
                workdir=workdir,
                rows=settings.PREVIEW_ROWS,
                max_columns=settings.PREVIEW_MAX_COLUMNS,
            )
        except Unavailable as exc:
            return _unavailable(str(exc), transient=exc.transient)
        except SoftTimeLimitExceeded:
            raise
        except Exception:  # never leave a preview pending for ever over a file we failed to read
            logger.exception("preview of %s failed unexpectedly", url)
            return _unavailable("the file could not be read (an unexpected error, logged)")
    return {
        "status": DistributionPreview.Status.READY,
        "reason": "",
        "columns": profile.columns,
        "rows": profile.rows,
        "row_count": profile.row_count,
        "rows_profiled": profile.rows_profiled,
        "truncated": download.truncated,
        "file_format": profile.file_format,
        "file_size": download.file_size,
        "encoding": profile.encoding,
        "notes": profile.notes,
        "file_url": "" if download.url == url else download.url[:1000],
        "etag": download.etag,
        "checksum": download.sha256,
        "retry_at": None,
    }


def preview_refresh(*, distribution_id: int, force: bool = False) -> DistributionPreview | None:
    """Make (or remake) one distribution's preview and store it; the Celery task's body.

    Safe to run twice: a current preview is left alone unless ``force``. The network part runs outside
    any transaction. When the column names change, search is told the dataset changed.
    """
    dist = Distribution.objects.select_related("dataset").filter(pk=distribution_id).first()
    if dist is None:
        logger.info("preview: distribution %s is gone", distribution_id)
        return None
    preview = DistributionPreview.objects.filter(distribution=dist).first()
    if preview is not None and not force and preview_is_current(preview, dist):
        return preview
    url, modified = dist.url, dist.dataset.source_modified_at
    started = time.perf_counter()
    if is_previewable(dist):
        values = preview_make(url, declared_format=distribution_format(dist))
    else:
        values = _unavailable("not a tabular format this preview reads")
    metrics.preview_made(status=values["status"], seconds=time.perf_counter() - started)
    values |= {"source_url": url, "source_modified": modified, "fetched_at": timezone.now()}
    old_names = [c.get("name") for c in (preview.columns if preview else [])]
    with transaction.atomic():
        preview, _ = DistributionPreview.objects.update_or_create(distribution=dist, defaults=values)
        if [c.get("name") for c in preview.columns] != old_names:
            datasets_changed_send(dataset_ids=[dist.dataset_id])  # the index carries column names
    logger.info("preview of distribution %s: %s %s", dist.pk, preview.status, preview.reason)
    return preview


def distribution_download_url(distribution: Distribution) -> str:
    """Where "Download" goes: the file itself. For data.gov.sg's download API that is the signed file URL
    its initiate/poll flow gives (asked now: signed URLs expire); raises Unavailable when none comes."""
    limits = Limits.from_settings()
    limits = dataclasses.replace(limits, deadline=min(limits.deadline, DOWNLOAD_DEADLINE_SECONDS))
    return file_url(distribution.url, limits=limits)
