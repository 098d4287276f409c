"""DCAT-US (Project Open Data v1.1) ``data.json`` catalogs.

``{"@type": "dcat:Catalog", "dataset": [...]}``. external_id = ``identifier``; ``keyword`` ->
tags, ``theme`` -> themes, ``publisher.name`` -> publisher, each ``distribution`` (downloadURL
or accessURL) a distribution, ``temporal`` ("start/end", ISO 8601 interval) -> coverage,
``spatial`` -> geographic coverage, ``accrualPeriodicity`` -> frequency. The source slug comes
from the host of the datasets' landing pages unless the caller names one. Non-public
``accessLevel`` imports inactive.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import base
from .base import DatasetRecord, DistributionData, ParseResult, RecordError, RecordInvalid, SourceData

ORIGIN = "dcat"
_PERIODICITY = {
    "R/P1D": "daily",
    "R/P1W": "weekly",
    "R/P1M": "monthly",
    "R/P3M": "quarterly",
    "R/P6M": "half-yearly",
    "R/P1Y": "annual",
    "R/PT1S": "continuous",
    "irregular": "irregular",
}


def sniff(head: str) -> bool:
    return head.lstrip().startswith("{") and '"dataset"' in head and ("dcat" in head or "project-open-data" in head)


def parse(path: Path, *, source: SourceData | None = None) -> ParseResult:
    data = base.load_json(path, "DCAT-US data.json")
    if not isinstance(data, dict) or not isinstance(data.get("dataset"), list):
        raise base.ImportFormatError(f"{path.name}: not a DCAT-US data.json (no 'dataset' list)")
    datasets = data["dataset"]
    if source is None:
        urls = [d.get("landingPage") for d in datasets if isinstance(d, dict) and isinstance(d.get("landingPage"), str)]
        slug = base.host_slug(urls, "dcat")
        source = SourceData(slug, slug.replace("-", "."), "", "dcat")
    records, errors = [], []
    for index, raw in enumerate(datasets):
        ref = f"dataset {index + 1}"
        try:
            if not isinstance(raw, dict):
                raise RecordInvalid(f"wrong type: expected an object, got {type(raw).__name__}")
            ext_id = base.identifier(raw.get("identifier"), "identifier")
            ref = ext_id
            records.append(_record(raw, ext_id, source))
        except RecordInvalid as exc:
            errors.append(RecordError(ref, str(exc)))
    return ParseResult(ORIGIN, records, errors)


def _temporal(value: Any):
    value = base.text(value, "temporal")
    if not value:
        return None, None
    if "/" not in value:
        raise RecordInvalid(f"unparsable date in temporal: {value[:40]!r}")
    start, end = value.split("/", 1)
    # DCAT-US allows a duration on either side ("2010-01-01/P1Y"); keep the dates we can read.
    start_date = None if start.startswith(("P", "R")) else base.parse_date(start, "temporal start")
    end_date = None if end.startswith(("P", "R")) else base.parse_date(end, "temporal end")
    return base.temporal(start_date, end_date)


def _record(raw: dict, ext_id: str, source: SourceData) -> DatasetRecord:
    name = base.title(raw.get("title"))
    publisher = raw.get("publisher") or {}
    if isinstance(publisher, str):
        publisher = {"name": publisher}
    if not isinstance(publisher, dict):
        raise RecordInvalid(f"wrong type for publisher: expected an object, got {type(publisher).__name__}")
    distributions = []
    for d in base.object_list(raw.get("distribution"), "distribution"):
        media_type = base.text(d.get("mediaType"), "mediaType")
        distributions.append(
            DistributionData(
                format=base.fmt(d.get("format"), media_type=media_type),
                url=base.url(d.get("downloadURL")) or base.url(d.get("accessURL")),
                title=base.text(d.get("title"), "distribution title", max_length=500),
                media_type=media_type[:100],
            )
        )
    start, end = _temporal(raw.get("temporal"))
    periodicity = base.text(raw.get("accrualPeriodicity"), "accrualPeriodicity")
    access = base.text(raw.get("accessLevel"), "accessLevel")
    status, reason = "active", ""
    if access and access != "public":
        status, reason = "inactive", f"DCAT accessLevel: {access}"
    spatial = raw.get("spatial")
    return DatasetRecord(
        source=source,
        external_id=ext_id,
        ref=ext_id,
        title=name,
        description=base.text(raw.get("description"), "description"),
        publisher=base.text(publisher.get("name"), "publisher name", max_length=300),
        tags=base.tags(raw.get("keyword")),
        themes=base.string_list(raw.get("theme"), "theme"),
        formats=base.formats_of(distributions),
        license=base.text(raw.get("license"), "license", max_length=300),
        landing_url=base.url(raw.get("landingPage")),
        geographic_coverage=base.text(spatial if isinstance(spatial, str) else "", "spatial", max_length=200),
        temporal_start=start,
        temporal_end=end,
        update_frequency=_PERIODICITY.get(periodicity, periodicity)[:100],
        source_created_at=base.parse_datetime(raw.get("issued"), "issued"),
        source_modified_at=base.parse_datetime(raw.get("modified"), "modified"),
        status=status,
        status_reason=reason,
        distributions=distributions,
        extra={"description_source": "dataset", "access_level": access}
        if access
        else {"description_source": "dataset"},
    )
