"""Catalog importers: one small module per input format, and the registry that picks one.

Each module has ``ORIGIN``, ``sniff(head) -> bool`` and ``parse(path) -> ParseResult``; they
never touch the database. ``ORIGIN_RANK`` is the merge rule between formats that describe the
same (source, external_id): a record never overwrites a dataset last written by a richer
(higher-ranked) origin — it is counted "unchanged" (and "superseded"). Strict ranks make a
re-import of all files, in any order, write nothing.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

from . import ckan, csv_seed, datafinder, datagovsg, dcat, dcat_ap
from .base import DatasetRecord, ImportFormatError, ParseResult, RecordError, SourceData, screen

__all__ = [
    "FORMATS",
    "ORIGIN_RANK",
    "DatasetRecord",
    "ImportFormatError",
    "ParseResult",
    "RecordError",
    "SourceData",
    "detect_format",
    "parse_file",
]

FORMATS: dict[str, ModuleType] = {
    "datagovsg": datagovsg,
    "csv": csv_seed,
    "datafinder": datafinder,
    "ckan": ckan,
    "dcat": dcat,
    "dcat-ap": dcat_ap,
}
# Richer origin first: the portal's own API > DCAT > CKAN > benchmark corpus > the old CSV export.
# DCAT-US (data.json) and DCAT-AP (RDF) share the origin "dcat".
ORIGIN_RANK = {"datagovsg": 50, "dcat": 40, "ckan": 30, "datafinder": 20, "csv": 10}
SNIFF_ORDER = ("datagovsg", "dcat-ap", "dcat", "ckan", "datafinder", "csv")


def detect_format(path: Path) -> str:
    """The format name for a file (or the data.gov.sg directory); ImportFormatError if unknown."""
    path = Path(path)
    if path.is_dir():
        if (path / "datasets.json").exists():
            return "datagovsg"
        raise ImportFormatError(f"{path}: a directory is only importable as data.gov.sg (datasets.json)")
    try:
        with path.open("rb") as fh:
            head = fh.read(65536).decode("utf-8-sig", errors="replace")
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot read ({exc.strerror})") from None
    for name in SNIFF_ORDER:
        if FORMATS[name].sniff(head):
            return name
    raise ImportFormatError(f"{path.name}: unknown catalog format; pass --format ({', '.join(FORMATS)})")


def parse_file(path: Path, fmt: str | None = None, *, source: SourceData | str | None = None) -> ParseResult:
    """Parse a file in ``fmt`` (auto-detected when None). ``source`` (a slug or SourceData) names the
    portal of a CKAN/DCAT dump. Every format's records are screened (``base.screen``): text no
    database can hold skips the record, an over-long description is cut and noted."""
    path = Path(path)
    if not path.exists():
        raise ImportFormatError(f"{path}: no such file or directory")
    fmt = fmt or detect_format(path)
    if fmt not in FORMATS:
        raise ImportFormatError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if source is not None:
        if fmt not in ("ckan", "dcat", "dcat-ap"):
            raise ImportFormatError(f"--source applies to ckan and dcat only, not {fmt}")
        if isinstance(source, str):
            slug = re.sub(r"[^a-z0-9]+", "-", source.lower()).strip("-")[:64]
            if not slug:
                raise ImportFormatError(f"--source {source!r} is not a usable slug")
            source = SourceData(slug, source, "", fmt)
        return screen(FORMATS[fmt].parse(path, source=source))
    return screen(FORMATS[fmt].parse(path))
