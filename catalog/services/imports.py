"""Catalog imports: one catalog file (or the data.gov.sg directory) upserted by (source, external_id)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from catalog.importers import RecordError, parse_file
from catalog.previews import previews_follow_changes
from catalog.signals import datasets_changed_send

from .families import catalog_tidy_and_group

# The record pipeline (dedupe -> upsert) is shared with the harvesters: catalog.services.pipeline.
from .pipeline import IMPORT_UPDATE_FIELDS  # noqa: F401 - re-exported
from .pipeline import records_dedupe as _dedupe
from .pipeline import records_write as _write

logger = logging.getLogger(__name__)


@dataclass
class ImportReport:
    path: str
    format: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    superseded: int = 0  # counted in "unchanged": owned by a richer origin (see catalog.importers)
    errors: list[RecordError] = field(default_factory=list)
    notes: list[RecordError] = field(default_factory=list)  # imported with a remark, e.g. a cut description
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
            f"{self.unchanged} unchanged{extra}, {self.skipped} skipped"
            + (f", {len(self.notes)} with notes" if self.notes else "")
            + f" in {self.seconds:.2f}s"
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
            "notes": [[n.ref, n.reason] for n in self.notes],
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
    report = ImportReport(path=str(path), format=parsed.origin, errors=list(parsed.errors), notes=list(parsed.notes))
    records = _dedupe(parsed.records, report.errors)
    with transaction.atomic():
        replaced = _write(records, parsed.origin, report, progress=progress)
        if report.changed_ids:
            previews_follow_changes(dataset_ids=report.changed_ids, previewed=replaced)
        changed = set(report.changed_ids)
        if changed:
            # Titles repaired, junk hidden and families recomputed over the whole catalog.
            changed |= set(catalog_tidy_and_group(notify=False).changed_ids)
        if changed and notify_search:
            datasets_changed_send(dataset_ids=sorted(changed))
    report.seconds = time.perf_counter() - started
    logger.info("catalog import %s", report.summary())
    return report
