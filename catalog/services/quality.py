"""Quality scores: the documented formula (catalog.quality) for one dataset, and bulk recomputation."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from catalog import quality
from catalog.models import Dataset
from catalog.signals import datasets_changed_send

from .bulk import update_rows


def dataset_quality_score(dataset: Dataset, *, today=None) -> float:
    """The documented quality formula (catalog.quality) for one dataset, in [0, 1]."""
    return quality.score(
        description=dataset.description,
        description_source=(dataset.extra or {}).get("description_source", ""),
        has_publisher=dataset.publisher_id is not None,
        temporal_start=dataset.temporal_start,
        temporal_end=dataset.temporal_end,
        geographic_coverage=dataset.geographic_coverage,
        formats=dataset.formats,
        source_modified_at=dataset.source_modified_at,
        link_status=dataset.link_status,
        today=today or timezone.localdate(),
    )


def quality_recompute(*, dataset_ids: Iterable[int] | None = None) -> int:
    """Recompute quality scores (all datasets when ``dataset_ids`` is None); returns how many changed."""
    qs = Dataset.objects.all() if dataset_ids is None else Dataset.objects.filter(pk__in=list(dataset_ids))
    today = timezone.localdate()
    changed = []
    for dataset in qs.only(
        "id",
        "description",
        "extra",
        "publisher_id",
        "temporal_start",
        "temporal_end",
        "geographic_coverage",
        "formats",
        "source_modified_at",
        "link_status",
        "quality_score",
    ).iterator(chunk_size=2000):
        score = dataset_quality_score(dataset, today=today)
        if abs(score - dataset.quality_score) > 1e-9:
            dataset.quality_score = score
            changed.append(dataset)
    with transaction.atomic():
        update_rows(changed, ["quality_score"])
        if changed:
            datasets_changed_send(dataset_ids=[d.pk for d in changed])
    return len(changed)
