"""The one record pipeline shared by file imports and harvests: dedupe -> upsert -> signal.

Importers and harvest protocol clients normalise and validate (``catalog.importers.base``: each
record is a :class:`DatasetRecord`, bad ones are :class:`RecordError`); this module writes. A write
is idempotent: a record whose fingerprint matches the stored one is counted "unchanged" and not
touched. ``datasets_withdraw`` hides datasets that disappeared from a complete harvest listing
(kept, marked ``extra.withdrawn``); a withdrawn dataset that comes back is rewritten and re-activated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from catalog import quality
from catalog.importers import ORIGIN_RANK, DatasetRecord, RecordError, SourceData
from catalog.importers.base import content_hash
from catalog.models import Dataset, Distribution, DistributionPreview, Publisher, Source, Tag
from catalog.previews import previews_follow_changes
from catalog.signals import datasets_changed_send

from .bulk import BATCH, chunks, update_rows


class Counts(Protocol):
    """What ``records_write`` counts into: an ImportReport or a harvest page tally."""

    created: int
    updated: int
    unchanged: int
    superseded: int
    changed_ids: list[int]


# Fields an import writes on an existing dataset (link health, quality inputs from curators stay).
IMPORT_UPDATE_FIELDS = [
    "title",
    "description",
    "publisher",
    "themes",
    "formats",
    "license",
    "license_id",
    "tasks",
    "modalities",
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


def records_dedupe(records: list[DatasetRecord], errors: list[RecordError]) -> list[DatasetRecord]:
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


def sources_ensure(sources: Iterable[SourceData]) -> dict[str, Source]:
    out = {}
    for data in {s.slug: s for s in sources}.values():
        out[data.slug], _ = Source.objects.get_or_create(
            slug=data.slug,
            defaults={"name": data.name, "homepage": data.homepage, "kind": data.kind, "country": data.country},
        )
    return out


def publishers_ensure(names: set[str]) -> dict[str, int]:
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


def tags_ensure(names: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in chunks(sorted(names)):
        found.update(Tag.objects.filter(name__in=chunk).values_list("name", "id"))
    missing = sorted(names - set(found))
    if missing:
        Tag.objects.bulk_create([Tag(name=n) for n in missing], batch_size=BATCH, ignore_conflicts=True)
        for chunk in chunks(missing):
            found.update(Tag.objects.filter(name__in=chunk).values_list("name", "id"))
    return found


def record_quality(record: DatasetRecord, link_status: str, today) -> float:
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


def distribution_key(d) -> tuple[str, str, str, str]:
    return (d.format, d.url, d.title[:500], d.media_type[:100])


def records_write(records: list[DatasetRecord], origin: str, report: Counts, *, progress: bool = False) -> set[int]:
    """The upsert; the caller holds the transaction. Existing rows are read once per source.

    Returns the datasets that lost a distribution which had a data preview (its file changed: the caller
    has the preview remade)."""
    sources = sources_ensure(r.source for r in records)
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
        withdrawn = row is not None and "withdrawn" in (row["extra"] or {})
        if row is not None and not withdrawn:  # a withdrawn dataset that is listed again is re-activated
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
                if withdrawn:
                    status, reason = curator_status, "" if curator_status == "active" else "Deactivated by a curator"
        extra["import"] = {"origin": origin, "fingerprint": fingerprint}
        obj = Dataset(
            pk=row["id"] if row else None,
            source=sources[record.source.slug],
            external_id=record.external_id,
            status=status,
            status_reason=reason[:200],
            extra=extra,
            quality_score=record_quality(record, row["link_status"] if row else "unknown", today),
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
        return set()
    publishers = publishers_ensure({r.publisher for r, *_ in pending})
    tag_ids = tags_ensure({t for r, *_ in pending for t in r.tags})
    for record, obj, _, _ in pending:
        obj.publisher_id = publishers.get(record.publisher)
    new = [obj for _, obj, _, is_new in pending if is_new]
    changed = [obj for _, obj, _, is_new in pending if not is_new]
    previewed: set[int] = set()  # datasets that lose a distribution with a preview (its file changed)
    for chunk in chunks(new):
        Dataset.objects.bulk_create(chunk)
    if changed:
        update_rows(changed, IMPORT_UPDATE_FIELDS)
        changed_ids = [o.pk for o in changed]
        wanted: dict[Any, list[Sequence[str]]] = {
            obj.pk: [distribution_key(d) for d in record.distributions]
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
            previewed.update(
                DistributionPreview.objects.filter(distribution_id__in=chunk).values_list(
                    "distribution__dataset_id", flat=True
                )
            )
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
            key = distribution_key(d)
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
    return previewed


def records_apply(
    *, records: list[DatasetRecord], origin: str, report: Counts, notify_search: bool = True, progress: bool = False
) -> None:
    """Upsert already-validated, deduplicated records in one transaction, then signal search."""
    with transaction.atomic():
        replaced = records_write(records, origin, report, progress=progress)
        if report.changed_ids and notify_search:
            datasets_changed_send(dataset_ids=report.changed_ids)
        if report.changed_ids:
            # Previews of changed files are remade (a replaced distribution's preview went with it).
            previews_follow_changes(dataset_ids=report.changed_ids, previewed=replaced)


WITHDRAWN_PREFIX = "Withdrawn: "


def datasets_withdraw(*, source_id: int, keep_external_ids: set[str], reason: str, run_id: int | None = None) -> int:
    """Hide (never delete) the datasets of a source whose ids a complete listing no longer holds.

    Assumes ``keep_external_ids`` is the complete listing of the source (the caller checked that
    every page was fetched). Already-withdrawn datasets are left alone. Returns how many were withdrawn.
    """
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Dataset.objects.select_for_update()
            .filter(source_id=source_id)
            .only("id", "external_id", "status", "status_reason", "extra")
        )
        gone = [d for d in rows if d.external_id not in keep_external_ids and "withdrawn" not in (d.extra or {})]
        for dataset in gone:
            extra = dict(dataset.extra or {})
            extra["withdrawn"] = {
                "at": now.isoformat(),
                "reason": reason,
                "run": run_id,
                "previous_status": [dataset.status, dataset.status_reason],
            }
            dataset.extra = extra
            dataset.status = Dataset.Status.INACTIVE
            dataset.status_reason = (WITHDRAWN_PREFIX + reason)[:200]
            dataset.updated_at = now
        Dataset.objects.bulk_update(gone, ["status", "status_reason", "extra", "updated_at"], batch_size=BATCH)
        if gone:
            datasets_changed_send(dataset_ids=[d.pk for d in gone])
    return len(gone)
