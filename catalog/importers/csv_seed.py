"""The original system's catalog CSV (``seed_catalog/singapore_datasets.csv``, ``global_datasets.csv``).

Required header columns: see ``REQUIRED``; a file missing any of them is not this format.
The source comes from the ``source`` column (``SOURCES`` maps the known portal names to slugs,
anything else gets a slug of its name); external_id = ``dataset_id``. ``category`` becomes the
theme, ``tags`` are comma-separated, ``url`` is the landing page and the one distribution.
The old system's ``quality_score`` and ``auto_generated_description`` are kept in ``extra``
(our own score is recomputed; an auto-generated description counts for less).
data.gov.sg rows go through the data.gov.sg junk rule.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from . import base
from .base import DatasetRecord, DistributionData, ParseResult, RecordError, RecordInvalid, SourceData
from .datagovsg import SOURCE as DATAGOVSG
from .datagovsg import junk_reason

ORIGIN = "csv"
REQUIRED = ("dataset_id", "title", "description", "source", "agency", "format", "url")
OPTIONAL_TEXT = ("category", "tags", "geographic_coverage", "license", "status", "frequency")

SG = "Singapore"
SOURCES: dict[str, SourceData] = {
    "data.gov.sg": DATAGOVSG,
    "lta datamall": SourceData("lta-datamall", "LTA DataMall", "https://datamall.lta.gov.sg", "government", SG),
    "onemap": SourceData("onemap", "OneMap", "https://www.onemap.gov.sg", "government", SG),
    "singstat": SourceData("singstat", "SingStat", "https://www.singstat.gov.sg", "government", SG),
    "world bank": SourceData("worldbank", "World Bank", "https://data.worldbank.org", "international"),
    "un": SourceData("un", "United Nations", "https://data.un.org", "international"),
    "un sdg": SourceData("un-sdg", "UN SDG Indicators", "https://unstats.un.org/sdgs", "international"),
    "who": SourceData("who", "World Health Organization", "https://www.who.int/data/gho", "international"),
    "oecd": SourceData("oecd", "OECD", "https://data.oecd.org", "international"),
    "imf": SourceData("imf", "IMF", "https://www.imf.org/en/Data", "international"),
}
# The seed CSV spells some agencies two ways; one Publisher row each.
PUBLISHER_ALIASES = {"Department of Statistics Singapore": "Singapore Department of Statistics"}


def source_for(name: str, geographic_coverage: str) -> SourceData:
    known = SOURCES.get(name.strip().lower())
    if known:
        return known
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:64]
    if not slug:
        raise RecordInvalid("missing source")
    country = SG if geographic_coverage.strip().lower() == "singapore" else ""
    return SourceData(slug, name.strip()[:200], "", "other", country)


def sniff(head: str) -> bool:
    first = head.lstrip("\ufeff").split("\n", 1)[0]
    return "," in first and "dataset_id" in first and "title" in first


def parse(path: Path) -> ParseResult:
    content = base.read_text(path)
    reader = csv.DictReader(io.StringIO(content, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise base.ImportFormatError(
            f"{path.name}: not an original-catalog CSV: missing column(s) {', '.join(missing)}"
        )
    reader.fieldnames = header
    records, errors = [], []
    try:
        for row in reader:
            ref = f"line {reader.line_num}"
            try:
                if None in row:  # more cells than header columns
                    raise RecordInvalid(f"{len(header) + len(row[None])} cells for {len(header)} columns")
                records.append(_record(row, ref))
            except RecordInvalid as exc:
                errors.append(RecordError(f"{ref} ({row.get('dataset_id') or 'no id'})", str(exc)))
    except csv.Error as exc:
        raise base.ImportFormatError(f"{path.name}: not a valid CSV ({exc} at line {reader.line_num})") from None
    return ParseResult(ORIGIN, records, errors)


def _record(row: dict[str, str | None], ref: str) -> DatasetRecord:
    def col(name: str, **kw) -> str:
        return base.text(row.get(name), name, **kw)

    ext_id = base.identifier(row.get("dataset_id"), "dataset_id")
    name = base.title(row.get("title"))
    geo = col("geographic_coverage", max_length=200)
    source = source_for(col("source", required=True), geo)
    description = col("description")
    publisher = col("agency", max_length=300)
    publisher = PUBLISHER_ALIASES.get(publisher, publisher)
    file_format = base.fmt(row.get("format"))
    landing = base.url(row.get("url"))
    auto = col("auto_generated_description").lower() == "true"
    extra: dict = {"description_source": "generated" if auto else "dataset"}
    for key in ("source_organization", "unit", "data_type", "record_count", "file_size", "quality_score"):
        value = col(key)
        if value and value not in ("Unknown", "0.0"):
            extra["original_" + key if key == "quality_score" else key] = value
    for key in ("api_required", "api_key_required"):
        if col(key):
            extra[key] = col(key).lower() == "true"
    frequency = col("frequency", max_length=100)
    status, reason = "active", ""
    if col("status") and col("status").lower() != "active":
        status, reason = "inactive", f"Source status: {col('status')}"
    if source.slug == DATAGOVSG.slug:
        junk = junk_reason(name=name, description="" if auto else description, publisher=publisher)
        if junk:
            status, reason = "inactive", junk
    start, end = base.temporal(
        base.parse_date(row.get("coverage_start"), "coverage_start"),
        base.parse_date(row.get("coverage_end"), "coverage_end"),
    )
    category = col("category")
    return DatasetRecord(
        source=source,
        external_id=ext_id,
        ref=ref,
        title=name,
        description=description,
        publisher=publisher,
        tags=base.tags(row.get("tags")),
        themes=[category.replace("_", " ")] if category and category != "general" else [],
        formats=[file_format] if file_format else [],
        license=col("license", max_length=300),
        landing_url=landing,
        geographic_coverage=geo,
        temporal_start=start,
        temporal_end=end,
        update_frequency="" if frequency.lower() == "unknown" else frequency,
        source_created_at=base.parse_datetime(row.get("created_date"), "created_date"),
        source_modified_at=base.parse_datetime(row.get("last_updated"), "last_updated"),
        status=status,
        status_reason=reason,
        distributions=[DistributionData(format=file_format, url=landing, title=name)] if landing or file_format else [],
        extra=extra,
    )
