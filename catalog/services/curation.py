"""Curator edits: derived fields (content hash, quality) refreshed after an edit, and (de)activation
that survives re-imports."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from catalog.importers.base import content_hash
from catalog.licences import licence_normalise
from catalog.models import Dataset
from catalog.signals import datasets_changed_send

from .bulk import BATCH
from .quality import dataset_quality_score


def _dataset_content_hash(dataset: Dataset) -> str:
    return content_hash(
        title=dataset.title,
        description=dataset.description,
        publisher=dataset.publisher.name if dataset.publisher_id else "",  # type: ignore[union-attr]
        tags=[t.name for t in dataset.tags.all()],
        themes=list(dataset.themes or []),
        formats=list(dataset.formats or []),
        geographic_coverage=dataset.geographic_coverage,
    )


def dataset_refresh_derived(*, dataset_ids: Iterable[int]) -> list[int]:
    """Recompute content hash, licence id and quality after a curator edit; notify search. Returns the ids."""
    ids = list(dataset_ids)
    today = timezone.localdate()
    datasets = list(Dataset.objects.filter(pk__in=ids).select_related("publisher").prefetch_related("tags"))
    for dataset in datasets:
        dataset.content_hash = _dataset_content_hash(dataset)
        dataset.license_id = licence_normalise(dataset.license)
        dataset.quality_score = dataset_quality_score(dataset, today=today)
    with transaction.atomic():
        Dataset.objects.bulk_update(datasets, ["content_hash", "license_id", "quality_score"], batch_size=BATCH)
        if ids:
            datasets_changed_send(dataset_ids=ids)
    return ids


def dataset_status_set(*, dataset_ids: Iterable[int], status: str, reason: str = "") -> int:
    """A curator (de)activates datasets; the decision is kept across re-imports. Returns rows changed."""
    if status not in Dataset.Status.values:
        raise ValueError(f"unknown status {status!r}")
    reason = "" if status == Dataset.Status.ACTIVE else (reason or "Deactivated by a curator")
    with transaction.atomic():
        datasets = list(
            Dataset.objects.select_for_update().filter(pk__in=list(dataset_ids)).only("id", "status", "extra")
        )
        changed = []
        for dataset in datasets:
            extra = dict(dataset.extra or {})
            if dataset.status == status and extra.get("curator_status") == status:
                continue
            extra["curator_status"] = status
            dataset.extra, dataset.status, dataset.status_reason = extra, status, reason[:200]
            dataset.updated_at = timezone.now()
            changed.append(dataset)
        Dataset.objects.bulk_update(changed, ["status", "status_reason", "extra", "updated_at"], batch_size=BATCH)
        if changed:
            dataset_refresh_derived(dataset_ids=[d.pk for d in changed])
    return len(changed)


def datasets_delete(*, dataset_ids: Iterable[int]) -> int:
    """Delete datasets outright (a curator's mistake, spam; a withdrawal keeps the record instead) and
    tell the listeners, so the search index drops them too. Returns how many datasets were deleted."""
    ids = list(dataset_ids)
    with transaction.atomic():
        deleted = list(Dataset.objects.filter(pk__in=ids).values_list("pk", flat=True))
        Dataset.objects.filter(pk__in=deleted).delete()
        if deleted:
            datasets_changed_send(dataset_ids=deleted)
    return len(deleted)
