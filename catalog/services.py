"""Catalog writes: imports, quality scores, curator status changes, the demo catalog.

Every write that changes datasets ends with the ``catalog.signals.datasets_changed`` signal (which queues
its work on commit).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from . import quality
from .importers import ORIGIN_RANK, DatasetRecord, ImportFormatError, RecordError, SourceData, parse_file
from .importers.base import content_hash
from .models import Dataset, Distribution, Publisher, Source, Tag
from .signals import datasets_changed_send

logger = logging.getLogger(__name__)

__all__ = [
    "ImportFormatError",
    "ImportReport",
    "catalog_import",
    "dataset_quality_score",
    "dataset_refresh_derived",
    "dataset_status_set",
    "quality_recompute",
]

BATCH = 500
# Fields an import writes on an existing dataset (link health, quality inputs from curators stay).
IMPORT_UPDATE_FIELDS = [
    "title",
    "description",
    "publisher",
    "themes",
    "formats",
    "license",
    "landing_url",
    "geographic_coverage",
    "temporal_start",
    "temporal_end",
    "update_frequency",
    "source_created_at",
    "source_modified_at",
    "status",
    "status_reason",
    "quality_score",
    "content_hash",
    "extra",
    "updated_at",
]


@dataclass
class ImportReport:
    path: str
    format: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    superseded: int = 0  # counted in "unchanged": owned by a richer origin (see catalog.importers)
    errors: list[RecordError] = field(default_factory=list)
    seconds: float = 0.0
    changed_ids: list[int] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len(self.errors)

    @property
    def records(self) -> int:
        return self.created + self.updated + self.unchanged + self.skipped

    def summary(self) -> str:
        extra = f" (of which {self.superseded} kept from a richer source)" if self.superseded else ""
        return (
            f"{self.path} [{self.format}]: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged{extra}, {self.skipped} skipped in {self.seconds:.2f}s"
        )

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "format": self.format,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "superseded": self.superseded,
            "skipped": self.skipped,
            "errors": [[e.ref, e.reason] for e in self.errors],
            "seconds": round(self.seconds, 3),
        }


# ---- import ---------------------------------------------------------------------------------


def catalog_import(
    *, path, fmt: str | None = None, progress: bool = False, source: str | None = None, notify_search: bool = True
) -> ImportReport:
    """Import one catalog file (or the data.gov.sg directory): idempotent upserts by (source, external_id).

    Raises ImportFormatError before any write when the file is not the format. Bad records are
    reported in ``errors`` and skipped. ``source`` names the source slug for CKAN/DCAT dumps.
    ``notify_search=False`` leaves re-embedding to a later ``index_ensure`` (bulk loads, benchmarks).
    """
    started = time.perf_counter()
    parsed = parse_file(Path(path), fmt, source=source or None)
    report = ImportReport(path=str(path), format=parsed.origin, errors=list(parsed.errors))
    records = _dedupe(parsed.records, report.errors)
    with transaction.atomic():
        _write(records, parsed.origin, report, progress=progress)
        if report.changed_ids and notify_search:
            datasets_changed_send(dataset_ids=report.changed_ids)
    report.seconds = time.perf_counter() - started
    logger.info("catalog import %s", report.summary())
    return report


def _dedupe(records: list[DatasetRecord], errors: list[RecordError]) -> list[DatasetRecord]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for record in records:
        key = (record.source.slug, record.external_id)
        if key in seen:
            errors.append(RecordError(record.ref, f"duplicate id {record.external_id!r}: the first record was kept"))
            continue
        seen.add(key)
        unique.append(record)
    return unique


def _chunks(items: list, size: int = BATCH) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _sources_ensure(sources: Iterable[SourceData]) -> dict[str, Source]:
    out = {}
    for data in {s.slug: s for s in sources}.values():
        out[data.slug], _ = Source.objects.get_or_create(
            slug=data.slug,
            defaults={"name": data.name, "homepage": data.homepage, "kind": data.kind, "country": data.country},
        )
    return out


def _publishers_ensure(names: set[str]) -> dict[str, int]:
    names = {n for n in names if n}
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(names)):
        found.update(Publisher.objects.filter(name__in=chunk).values_list("name", "id"))
    missing = sorted(names - set(found))
    if missing:
        slugs = set(Publisher.objects.values_list("slug", flat=True))
        new = []
        for name in missing:
            base_slug = slugify(name)[:280] or "publisher"
            slug, n = base_slug, 2
            while slug in slugs:
                slug, n = f"{base_slug}-{n}", n + 1
            slugs.add(slug)
            new.append(Publisher(name=name, slug=slug))
        Publisher.objects.bulk_create(new, batch_size=BATCH)
        for chunk in _chunks(missing):
            found.update(Publisher.objects.filter(name__in=chunk).values_list("name", "id"))
    return found


def _tags_ensure(names: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(names)):
        found.update(Tag.objects.filter(name__in=chunk).values_list("name", "id"))
    missing = sorted(names - set(found))
    if missing:
        Tag.objects.bulk_create([Tag(name=n) for n in missing], batch_size=BATCH, ignore_conflicts=True)
        for chunk in _chunks(missing):
            found.update(Tag.objects.filter(name__in=chunk).values_list("name", "id"))
    return found


def _record_quality(record: DatasetRecord, link_status: str, today) -> float:
    return quality.score(
        description=record.description,
        description_source=record.extra.get("description_source", ""),
        has_publisher=bool(record.publisher),
        temporal_start=record.temporal_start,
        temporal_end=record.temporal_end,
        geographic_coverage=record.geographic_coverage,
        formats=record.formats,
        source_modified_at=record.source_modified_at,
        link_status=link_status,
        today=today,
    )


def _update_rows(objs: list[Dataset], field_names: list[str]) -> None:
    """UPDATE ... WHERE id = %s for each object, as one executemany.

    QuerySet.bulk_update builds CASE WHEN expressions per field and row: ~40x slower here for
    thousands of rows with many fields. Values go through each field's get_db_prep_save, as a save would.
    """
    fields: list[Any] = [Dataset._meta.get_field(name) for name in field_names]  # concrete fields
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(Dataset._meta.db_table),
        ", ".join(f"{quote(f.column)} = %s" for f in fields),
        quote(cast(str, Dataset._meta.pk.column)),
    )
    rows = [[f.get_db_prep_save(getattr(o, f.attname), connection) for f in fields] + [o.pk] for o in objs]
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, 2000):
            cursor.executemany(sql, chunk)


def _distribution_key(d) -> tuple[str, str, str, str]:
    return (d.format, d.url, d.title[:500], d.media_type[:100])


def _write(records: list[DatasetRecord], origin: str, report: ImportReport, *, progress: bool) -> None:
    """The upsert; the caller holds the transaction. Existing rows are read once per source."""
    sources = _sources_ensure(r.source for r in records)
    existing: dict[tuple[str, str], Mapping[str, Any]] = {}
    row: Mapping[str, Any] | None
    for slug, src in sources.items():
        for row in Dataset.objects.filter(source=src).values(
            "id", "external_id", "extra", "status", "status_reason", "link_status"
        ):
            existing[(slug, row["external_id"])] = row
    rank = ORIGIN_RANK.get(origin, 0)
    now = timezone.now()
    today = timezone.localdate()
    pending: list[tuple[DatasetRecord, Dataset, str, bool]] = []  # (record, object, fingerprint, is_new)
    for record in tqdm(records, desc=f"import {origin}", unit="rec", disable=not progress, leave=False):
        fingerprint = record.fingerprint(origin)
        row = existing.get((record.source.slug, record.external_id))
        old_import = ((row or {}).get("extra") or {}).get("import") or {}
        if row is not None:
            owner = old_import.get("origin")
            if owner and owner != origin and ORIGIN_RANK.get(owner, 0) > rank:
                report.unchanged += 1
                report.superseded += 1
                continue
            if owner == origin and old_import.get("fingerprint") == fingerprint:
                report.unchanged += 1
                continue
        extra = dict(record.extra)
        status, reason = record.status, record.status_reason
        if row is not None:
            curator_status = (row["extra"] or {}).get("curator_status")
            if curator_status:  # a curator's activate/deactivate decision survives re-imports
                extra["curator_status"] = curator_status
                status, reason = row["status"], row["status_reason"]
        extra["import"] = {"origin": origin, "fingerprint": fingerprint}
        obj = Dataset(
            pk=row["id"] if row else None,
            source=sources[record.source.slug],
            external_id=record.external_id,
            status=status,
            status_reason=reason[:200],
            extra=extra,
            quality_score=_record_quality(record, row["link_status"] if row else "unknown", today),
            content_hash=content_hash(
                title=record.title,
                description=record.description,
                publisher=record.publisher,
                tags=record.tags,
                themes=record.themes,
                formats=record.formats,
                geographic_coverage=record.geographic_coverage,
            ),
            updated_at=now,
            **record.db_values(),
        )
        pending.append((record, obj, fingerprint, row is None))
    if not pending:
        return
    publishers = _publishers_ensure({r.publisher for r, *_ in pending})
    tag_ids = _tags_ensure({t for r, *_ in pending for t in r.tags})
    for record, obj, _, _ in pending:
        obj.publisher_id = publishers.get(record.publisher)
    new = [obj for _, obj, _, is_new in pending if is_new]
    changed = [obj for _, obj, _, is_new in pending if not is_new]
    for chunk in _chunks(new):
        Dataset.objects.bulk_create(chunk)
    if changed:
        _update_rows(changed, IMPORT_UPDATE_FIELDS)
        changed_ids = [o.pk for o in changed]
        wanted: dict[Any, list[Sequence[str]]] = {
            obj.pk: [_distribution_key(d) for d in record.distributions]
            for record, obj, _, is_new in pending
            if not is_new
        }
        stale = []
        key: Sequence[str]  # a distribution's (format, url, title, media_type)
        for chunk in _chunks(changed_ids):
            Dataset.tags.through.objects.filter(dataset_id__in=chunk).delete()
            # Keep unchanged distributions (and their link-check results); replace the rest.
            for dist_id, dataset_id, *key in Distribution.objects.filter(dataset_id__in=chunk).values_list(
                "id", "dataset_id", "format", "url", "title", "media_type"
            ):
                if tuple(key) in wanted[dataset_id]:
                    wanted[dataset_id].remove(tuple(key))
                else:
                    stale.append(dist_id)
        for chunk in _chunks(stale):
            Distribution.objects.filter(pk__in=chunk).delete()
    if any(o.pk is None for o in new):  # a backend that cannot return ids from bulk inserts
        ids = {
            (source_id, external_id): pk
            for source_id, external_id, pk in Dataset.objects.filter(source__in=sources.values()).values_list(
                "source_id", "external_id", "id"
            )
        }
        for o in new:
            o.pk = ids[(o.source_id, o.external_id)]
    through_rows = [
        Dataset.tags.through(dataset_id=obj.pk, tag_id=tag_ids[t]) for record, obj, _, _ in pending for t in record.tags
    ]
    Dataset.tags.through.objects.bulk_create(through_rows, batch_size=BATCH)
    distributions = []
    for record, obj, _, is_new in pending:
        missing = None if is_new else wanted[obj.pk]
        for d in record.distributions:
            key = _distribution_key(d)
            if missing is not None:
                if key not in missing:
                    continue  # kept from before
                missing.remove(key)
            distributions.append(
                Distribution(dataset_id=obj.pk, format=key[0], url=key[1], title=key[2], media_type=key[3])
            )
    Distribution.objects.bulk_create(distributions, batch_size=BATCH)
    report.created += len(new)
    report.updated += len(changed)
    report.changed_ids = [obj.pk for _, obj, _, _ in pending]


# ---- quality ----------------------------------------------------------------------------------


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
        _update_rows(changed, ["quality_score"])
        if changed:
            datasets_changed_send(dataset_ids=[d.pk for d in changed])
    return len(changed)


def dataset_refresh_derived(*, dataset_ids: Iterable[int]) -> list[int]:
    """Recompute content hash and quality after a curator edit; notify search. Returns the ids."""
    ids = list(dataset_ids)
    today = timezone.localdate()
    datasets = list(Dataset.objects.filter(pk__in=ids).select_related("publisher").prefetch_related("tags"))
    for dataset in datasets:
        dataset.content_hash = _dataset_content_hash(dataset)
        dataset.quality_score = dataset_quality_score(dataset, today=today)
    with transaction.atomic():
        Dataset.objects.bulk_update(datasets, ["content_hash", "quality_score"], batch_size=BATCH)
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
