"""Harvest protocol clients: each turns a portal's listing into pages of normalised records.

A protocol module has ``ORIGIN`` (the importer origin its records share, for the merge rank),
``MODIFIED_SINCE`` (whether it can ask only for records changed since a time) and
``pages(client, ctx) -> Iterator[Page]``. It never touches the database. Per record it reuses
the file importers' field mapping (``catalog.importers``), so a harvested CKAN package and an
imported CKAN dump become the same dataset. It reports on ``ctx``: whether the listing was
complete (every page fetched, nothing filtered), the newest modification time seen, and HTTP
validators for the next conditional request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from catalog.importers import DatasetRecord, RecordError, SourceData
from catalog.importers.base import RecordInvalid


@dataclass
class Page:
    ref: str  # "page 3", "start=1000": how the run report names it
    records: list[DatasetRecord] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    # External ids of records that failed validation: still listed by the source, so never withdrawn.
    failed_ids: set[str] = field(default_factory=set)
    # Records that failed and whose id could not be read: the listing cannot prove what is gone.
    unidentified_failures: int = 0
    failed: str = ""  # why the whole page could not be fetched or read ("" when it was)
    # Listed records the protocol knows are unchanged (same source modification time) and did not rebuild.
    unchanged_ids: set[str] = field(default_factory=set)


@dataclass
class Context:
    url: str
    config: dict[str, Any]
    source: SourceData
    modified_since: datetime | None = None  # None: a full listing
    etag: str = ""
    last_modified: str = ""
    # external_id -> source_modified_at of the datasets already stored for this source (protocols that
    # fetch per-record details use it to skip records the source says are unchanged).
    known_modified: dict[str, datetime | None] = field(default_factory=dict)
    # Set by the protocol:
    complete: bool = False
    not_modified: bool = False
    modified_max: datetime | None = None
    new_etag: str = ""
    new_last_modified: str = ""

    def seen_modified(self, value: datetime | None) -> None:
        if value is not None and (self.modified_max is None or value > self.modified_max):
            self.modified_max = value


def records_page(
    ref: str, items: list[Any], build: Callable[[Any], DatasetRecord], id_of: Callable[[Any], Any], ctx: Context
) -> Page:
    """One page of raw items through ``build``; a bad item becomes a RecordError, never an exception."""
    page = Page(ref)
    for index, item in enumerate(items):
        raw_id = id_of(item) if isinstance(item, dict) else None
        try:
            if not isinstance(item, dict):
                raise RecordInvalid(f"wrong type: expected an object, got {type(item).__name__}")
            record = build(item)
        except RecordInvalid as exc:
            ident = str(raw_id).strip() if isinstance(raw_id, str | int) and str(raw_id).strip() else ""
            page.errors.append(RecordError(ident or f"{ref}, item {index + 1}", str(exc)))
            if ident:
                page.failed_ids.add(ident[:300])
            else:
                page.unidentified_failures += 1
            continue
        ctx.seen_modified(record.source_modified_at)
        page.records.append(record)
    return page
