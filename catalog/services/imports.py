"""Catalog imports: one catalog file (or the data.gov.sg directory) upserted by (source, external_id)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from catalog import quality
from catalog.importers import ORIGIN_RANK, DatasetRecord, RecordError, SourceData, parse_file
from catalog.importers.base import content_hash
from catalog.models import Dataset, Distribution, Publisher, Source, Tag
from catalog.signals import datasets_changed_send

from .bulk import BATCH, chunks, update_rows
from .families import catalog_tidy_and_group

logger = logging.getLogger(__name__)

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
        changed = set(report.changed_ids)
        if changed:
            # Titles repaired, junk hidden and families recomputed over the whole catalog.
            changed |= set(catalog_tidy_and_group(notify=False).changed_ids)
        if changed and notify_search:
            datasets_changed_send(dataset_ids=sorted(changed))
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
    for chunk in chunks(sorted(names)):
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
        for chunk in chunks(missing):
            found.update(Publisher.objects.filter(name__in=chunk).values_list("name", "id"))
    return found


def _tags_ensure(names: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in chunks(sorted(names)):
        found.update(Tag.objects.filter(name__in=chunk).values_list("name", "id"))
    missing = sorted(names - set(found))
    if missing:
        Tag.objects.bulk_create([Tag(name=n) for n in missing], batch_size=BATCH, ignore_conflicts=True)
        for chunk in chunks(missing):
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
    for chunk in chunks(new):
        Dataset.objects.bulk_create(chunk)
    if changed:
        update_rows(changed, IMPORT_UPDATE_FIELDS)
        changed_ids = [o.pk for o in changed]
        wanted: dict[Any, list[Sequence[str]]] = {
            obj.pk: [_distribution_key(d) for d in record.distributions]
            for record, obj, _, is_new in pending
            if not is_new
        }
        stale = []
        key: Sequence[str]  # a distribution's (format, url, title, media_type)
        for chunk in chunks(changed_ids):
            Dataset.tags.through.objects.filter(dataset_id__in=chunk).delete()
            # Keep unchanged distributions (and their link-check results); replace the rest.
            for dist_id, dataset_id, *key in Distribution.objects.filter(dataset_id__in=chunk).values_list(
                "id", "dataset_id", "format", "url", "title", "media_type"
            ):
                if tuple(key) in wanted[dataset_id]:
                    wanted[dataset_id].remove(tuple(key))
                else:
                    stale.append(dist_id)
        for chunk in chunks(stale):
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
