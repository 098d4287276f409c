"""The normalised record every importer produces, and the field parsers they share.

Importers are pure: they read a file and return :class:`ParseResult` (records + per-record
errors) without touching the database. ``catalog.services.catalog_import`` does the writes.
A file that is not the format at all raises :class:`ImportFormatError` from ``parse``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from catalog.licences import licence_normalise
from catalog.research import research_labels

TITLE_MAX = 500
IDENTIFIER_MAX = 300  # Dataset.external_id: a longer id is refused, never cut (two cut ids could merge)
DESCRIPTION_MAX = 100_000  # longer descriptions are cut, and the cut is recorded (extra + import notes)
TEXT_MAX = {"license": 300, "geographic_coverage": 200, "update_frequency": 100, "publisher": 300}
URL_MAX = 1000


class ImportFormatError(Exception):
    """The file is not in the expected format at all (nothing is imported)."""


class RecordInvalid(Exception):
    """One record cannot be imported; the message is the reason shown to the curator."""


@dataclass(frozen=True)
class SourceData:
    slug: str
    name: str
    homepage: str = ""
    kind: str = "other"
    country: str = ""


@dataclass
class DistributionData:
    format: str = ""
    url: str = ""
    title: str = ""
    media_type: str = ""


@dataclass
class DatasetRecord:
    source: SourceData
    external_id: str
    title: str
    ref: str = ""  # where the record came from, for error messages ("line 12", an id)
    description: str = ""
    publisher: str = ""
    tags: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    license: str = ""
    landing_url: str = ""
    geographic_coverage: str = ""
    temporal_start: date | None = None
    temporal_end: date | None = None
    update_frequency: str = ""
    source_created_at: datetime | None = None
    source_modified_at: datetime | None = None
    status: str = "active"
    status_reason: str = ""
    distributions: list[DistributionData] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def db_values(self) -> dict[str, Any]:
        """The Dataset column values this record sets (status handled by the service)."""
        tasks, modalities = (
            research_labels(title=self.title, description=self.description)
            if self.source.kind == "research"
            else ([], [])
        )
        return {
            "title": self.title,
            "description": self.description,
            "themes": self.themes,
            "formats": self.formats,
            "license": self.license,
            "license_id": licence_normalise(self.license),
            "tasks": tasks,
            "modalities": modalities,
            "landing_url": self.landing_url,
            "geographic_coverage": self.geographic_coverage,
            "temporal_start": self.temporal_start,
            "temporal_end": self.temporal_end,
            "update_frequency": self.update_frequency,
            "source_created_at": self.source_created_at,
            "source_modified_at": self.source_modified_at,
        }

    def fingerprint(self, origin: str) -> str:
        """SHA-256 of everything this record would write: equal fingerprints mean "unchanged"."""
        payload = {
            "origin": origin,
            "source": self.source.slug,
            "values": self.db_values(),
            "publisher": self.publisher,
            "tags": self.tags,
            "status": [self.status, self.status_reason],
            "distributions": [[d.format, d.url, d.title, d.media_type] for d in self.distributions],
            "extra": self.extra,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class RecordError:
    ref: str
    reason: str

    def __post_init__(self) -> None:
        # A ref is often the record's own id, which may hold the very characters it is refused for.
        self.ref, self.reason = printable(str(self.ref)), printable(str(self.reason))

    def __iter__(self):  # unpacks as (ref, reason)
        return iter((self.ref, self.reason))

    def __str__(self) -> str:
        return f"{self.ref}: {self.reason}"


@dataclass
class ParseResult:
    origin: str
    records: list[DatasetRecord]
    errors: list[RecordError]
    notes: list[RecordError] = field(default_factory=list)  # imported, with a remark (a cut description)


def content_hash(
    *,
    title: str,
    description: str,
    publisher: str,
    tags: list[str],
    themes: list[str],
    formats: list[str],
    geographic_coverage: str,
) -> str:
    """SHA-256 of the searchable content: the embedding key (see CONTRACTS: Dataset.content_hash)."""
    payload = [title, description, publisher, sorted(tags), list(themes), list(formats), geographic_coverage]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


# ---- field parsers: each raises RecordInvalid with a curator-readable reason ----------------


def text(value: Any, name: str, *, required: bool = False, max_length: int | None = None) -> str:
    if value is None:
        value = ""
    if isinstance(value, int | float) and not isinstance(value, bool) and not required:
        value = str(value)
    if not isinstance(value, str):
        raise RecordInvalid(f"wrong type for {name}: expected text, got {type(value).__name__}")
    value = value.strip()
    if required and not value:
        raise RecordInvalid(f"missing {name}")
    if max_length and len(value) > max_length:
        value = value[: max_length - 1].rstrip() + "…"
    return value


def identifier(value: Any, name: str) -> str:
    """A record's id in its source: required, and refused (never cut) when longer than the column."""
    value = text(value, name, required=True)
    if len(value) > IDENTIFIER_MAX:
        raise RecordInvalid(
            f"{name} is {len(value):,} characters long; the longest accepted is {IDENTIFIER_MAX} "
            "(a shortened id could merge two datasets)"
        )
    return value


def title(value: Any, name: str = "title") -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise RecordInvalid(f"wrong type for {name}: expected text, got {type(value).__name__}")
    return text(value, name, required=True, max_length=TITLE_MAX)


def url(value: Any, name: str = "url") -> str:
    """An http(s) URL, or "" for anything else (relative links, mailto:, over-long)."""
    value = text(value, name)
    if not re.match(r"^https?://[^\s]+$", value, re.I) or len(value) > URL_MAX:
        return ""
    return value


_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def parse_date(value: Any, name: str) -> date | None:
    """ISO date or datetime (the date as written, offsets kept local), "YYYY" or "YYYY-MM"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise RecordInvalid(f"wrong type for {name}: expected a date string, got {type(value).__name__}")
    raw = value.strip()
    m = _DATE_RE.match(raw)
    rest = raw[m.end() :] if m else raw
    if not m or (rest and not re.match(r"^[T ]\d", rest)):
        raise RecordInvalid(f"unparsable date in {name}: {raw[:40]!r}")
    year, month, day = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    try:
        return date(year, month, day)
    except ValueError:
        raise RecordInvalid(f"unparsable date in {name}: {raw[:40]!r}") from None


def parse_datetime(value: Any, name: str) -> datetime | None:
    """ISO 8601 datetime (naive means UTC) or a plain date (midnight UTC)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise RecordInvalid(f"wrong type for {name}: expected a date string, got {type(value).__name__}")
    raw = value.strip()
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00") if raw.endswith("Z") else raw)
    except ValueError:
        d = parse_date(raw, name)  # "2024", "2024-05"
        if d is None or len(raw) > 10:
            raise RecordInvalid(f"unparsable date in {name}: {raw[:40]!r}") from None
        parsed = datetime(d.year, d.month, d.day)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def object_list(value: Any, name: str) -> list[dict]:
    """A JSON list of objects (CKAN resources, DCAT distributions); missing means empty."""
    if not value:
        return []
    if not isinstance(value, list):
        raise RecordInvalid(f"wrong type for {name}: expected a list, got {type(value).__name__}")
    if not all(isinstance(item, dict) for item in value):
        raise RecordInvalid(f"wrong type in {name}: expected objects")
    return value


def string_list(value: Any, name: str, *, split: str | None = ",") -> list[str]:
    """A list of non-empty strings from a JSON list or a delimited string; order kept, duplicates dropped."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        items = value.split(split) if split else [value]
    elif isinstance(value, list):
        items = []
        for item in value:
            if isinstance(item, dict):  # CKAN tags/groups: {"name": ..., "display_name": ...}
                item = item.get("display_name") or item.get("title") or item.get("name") or ""
            if not isinstance(item, str):
                raise RecordInvalid(f"wrong type in {name}: expected text items, got {type(item).__name__}")
            items.append(item)
    else:
        raise RecordInvalid(f"wrong type for {name}: expected a list, got {type(value).__name__}")
    seen: dict[str, None] = {}
    for item in items:
        item = " ".join(item.split())
        if item and item.lower() not in (k.lower() for k in seen):
            seen[item] = None
    return list(seen)


def tags(value: Any, name: str = "tags") -> list[str]:
    return [t.lower()[:100] for t in string_list(value, name)]


_MEDIA_TYPES = {
    "text/csv": "CSV",
    "application/json": "JSON",
    "application/geo+json": "GEOJSON",
    "application/vnd.geo+json": "GEOJSON",
    "application/xml": "XML",
    "text/xml": "XML",
    "application/pdf": "PDF",
    "application/zip": "ZIP",
    "application/vnd.ms-excel": "XLS",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/vnd.google-earth.kml+xml": "KML",
    "application/vnd.google-earth.kmz": "KMZ",
    "text/html": "HTML",
    "application/rdf+xml": "RDF",
    "text/plain": "TXT",
}


def fmt(value: Any, name: str = "format", media_type: str = "") -> str:
    """Upper-case format name ("csv", ".CSV", "text/csv" all give "CSV")."""
    value = text(value, name, max_length=50)
    if not value and media_type:
        value = _MEDIA_TYPES.get(media_type.split(";")[0].strip().lower(), "")
    if "/" in value:
        value = _MEDIA_TYPES.get(value.lower(), value.rsplit("/", 1)[-1])
    return value.lstrip(".").upper().replace(" ", "")[:50]


def formats_of(distributions: list[DistributionData], declared: list[str] | None = None) -> list[str]:
    out: dict[str, None] = {}
    for f in [*(declared or []), *(d.format for d in distributions)]:
        if f:
            out[f] = None
    return list(out)


def temporal(start: date | None, end: date | None) -> tuple[date | None, date | None]:
    if start and end and start > end:
        raise RecordInvalid(f"coverage start {start} is after coverage end {end}")
    return start, end


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"{path.name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot read ({exc.strerror})") from None


def load_json(path: Path, what: str) -> Any:
    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            f"{path.name}: not valid {what} JSON ({exc.msg}: line {exc.lineno} column {exc.colno})"
        ) from None


def host_slug(urls: Iterable[str | None], default: str) -> str:
    """A source slug from the most common host of some URLs ("data.gov.au" -> "data-gov-au")."""
    hosts = Counter(urlsplit(u).hostname or "" for u in urls if u)
    hosts.pop("", None)
    if not hosts:
        return default
    host = hosts.most_common(1)[0][0].removeprefix("www.")
    return re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-")[:64] or default


# ---- screening every parsed record, whatever the format -------------------------------------

_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


def printable(value: str) -> str:
    """``value`` with NUL bytes and lone surrogates written as escapes (safe to print and store)."""
    return _BAD_TEXT.sub(lambda m: f"\\u{ord(m.group()):04x}", value)


def _bad_text(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, str):
        if _BAD_TEXT.search(value):
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and _BAD_TEXT.search(key):
                yield f"{path} (a key)"
            else:
                yield from _bad_text(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _bad_text(item, f"{path}[{index}]")


def screen(result: ParseResult) -> ParseResult:
    """Skip (and report) records with a NUL byte or a lone surrogate anywhere, which neither
    PostgreSQL nor UTF-8 can hold; cut descriptions longer than DESCRIPTION_MAX, noting the cut."""
    kept = []
    for record in result.records:
        ref = record.ref or record.external_id
        where = next(_bad_text(dataclasses.asdict(record), "record"), None)
        if where:
            field_name = where.removeprefix("record.")
            result.errors.append(
                RecordError(ref, f"{field_name} contains a NUL byte or an invalid Unicode character (lone surrogate)")
            )
            continue
        if len(record.description) > DESCRIPTION_MAX:
            original = len(record.description)
            record.description = record.description[:DESCRIPTION_MAX].rstrip() + "…"
            record.extra["description_cut"] = {"original_chars": original, "kept_chars": DESCRIPTION_MAX}
            result.notes.append(
                RecordError(ref, f"description cut from {original:,} to {DESCRIPTION_MAX:,} characters")
            )
        kept.append(record)
    result.records = kept
    return result
