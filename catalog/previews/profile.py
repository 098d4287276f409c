"""A downloaded file read and profiled with DuckDB: the first rows, columns with types, row count,
per-column nulls / min / max / distinct count, and the values of small-cardinality columns.

DuckDB runs sandboxed: one thread, a memory limit, no extension loading, and file access only to the
preview's own work directory. XLSX workbooks are read with openpyxl (read-only, cached values only: no
formula or macro runs) into CSV first, after checking the ZIP's expanded sizes. Parquet and XLSX must be
read whole; a delimited file cut at ``PREVIEW_MAX_BYTES`` is profiled on its complete lines and its row
count is then unknown.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import math
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from catalog.previews.decode import Sniffed, _megabytes, sniff, to_utf8
from catalog.previews.fetch import Download, Unavailable

CELL_CHARS = 200
VALUE_CHARS = 100
SMALL_CARDINALITY = 10
MAX_VALUE_COLUMNS = 30
XLSX_MAX_ROWS = 200_000
INTEGER_TYPES = {
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
}  # fmt: skip


@dataclass
class Profile:
    file_format: str
    columns: list[dict]
    rows: list[list]
    row_count: int | None  # None when only part of the file was read
    rows_profiled: int
    encoding: str = ""
    notes: list[str] = field(default_factory=list)


def simple_type(duck_type: str) -> str:
    """A Frictionless Table Schema type name for a DuckDB column type."""
    t = duck_type.upper()
    if t in INTEGER_TYPES:
        return "integer"
    if t.startswith(("DECIMAL", "DOUBLE", "FLOAT", "REAL")):
        return "number"
    if t == "BOOLEAN":
        return "boolean"
    if t == "DATE":
        return "date"
    if t.startswith("TIMESTAMP"):
        return "datetime"
    if t.startswith("TIME"):
        return "time"
    if t == "VARCHAR":
        return "string"
    if t.endswith("]"):
        return "array"
    if t.startswith(("STRUCT", "MAP", "JSON")):
        return "object"
    return "any"


def cell(value):
    """A JSON-safe, bounded form of one value."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if abs(value) < 2**53 else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, decimal.Decimal):
        return float(value) if value.is_finite() and abs(value) < 2**53 else str(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "<binary>"
    if isinstance(value, str):
        return value if len(value) <= CELL_CHARS else value[: CELL_CHARS - 1] + "…"
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1] + "…"


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _connect(workdir: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(
        config={
            "threads": 1,
            "memory_limit": "256MB",
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        }
    )
    con.execute(f"SET temp_directory={_sql_string(str(workdir / 'duckdb.tmp'))}")
    con.execute(f"SET allowed_directories=[{_sql_string(str(workdir))}]")
    con.execute("SET enable_external_access=false")
    con.execute("SET lock_configuration=true")
    return con


def _short(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:140] if str(exc).strip() else exc.__class__.__name__


def _xlsx_to_csv(path: Path, target: Path, *, max_bytes: int, max_ratio: int) -> list[str]:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
    except zipfile.BadZipFile:
        raise Unavailable("a damaged ZIP or Excel file") from None
    if "xl/workbook.xml" not in names:
        raise Unavailable("a ZIP archive, not an Excel (XLSX) workbook")
    expanded = sum(i.file_size for i in infos)
    if expanded > 4 * max_bytes or any(
        i.file_size > 1024 * 1024 and i.file_size > max_ratio * max(i.compress_size, 1) for i in infos
    ):
        raise Unavailable(f"the workbook expands to {_megabytes(expanded)} (a decompression bomb?)")
    import openpyxl  # type: ignore[import-untyped]  # only here: the rest of the catalog never needs it

    notes = []
    try:
        handle = path.open("rb")  # a file object: openpyxl would otherwise insist on an .xlsx name
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            if len(book.worksheets) > 1:
                notes.append(f"First sheet “{sheet.title}” of {len(book.worksheets)}.")
            with target.open("w", encoding="utf-8", newline="") as out:
                writer = csv.writer(out)
                for number, row in enumerate(sheet.iter_rows(values_only=True)):
                    if number >= XLSX_MAX_ROWS:
                        notes.append(f"Profiled on the first {XLSX_MAX_ROWS:,} rows.")
                        break
                    writer.writerow(["" if v is None else v.isoformat() if hasattr(v, "isoformat") else v for v in row])
        finally:
            book.close()
            handle.close()
    except Unavailable:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a malformed workbook
        raise Unavailable(f"the workbook could not be read ({exc.__class__.__name__})") from None
    return notes


def _source_sql(con, kind: str, path: Path, *, max_bytes: int) -> str:
    """The SQL source reading ``path`` (checked by preparing a DESCRIBE)."""
    p = _sql_string(str(path))
    if kind in ("CSV", "TSV"):
        delim = ", delim='\\t'" if kind == "TSV" else ""
        attempts = [
            f"read_csv({p}{delim}, null_padding=true, max_line_size={max_bytes + 1})",
            f"read_csv({p}{delim}, null_padding=true, all_varchar=true, ignore_errors=true, strict_mode=false, "
            f"max_line_size={max_bytes + 1})",
        ]
    elif kind == "GEOJSON":  # the features' properties, one row per feature
        attempts = [
            f"(SELECT unnest(f.properties) FROM (SELECT unnest(features) AS f FROM "
            f"read_json({p}, maximum_object_size={max_bytes + 1}, format='unstructured')))"
        ]
    elif kind == "JSON":
        attempts = [f"read_json({p}, maximum_object_size={max_bytes + 1})"]
    else:
        attempts = [f"read_parquet({p})"]
    error: Exception | None = None
    for sql in attempts:
        try:
            con.execute(f"DESCRIBE SELECT * FROM {sql}").fetchall()
            return sql
        except duckdb.Error as exc:
            error = exc
    label = {"GEOJSON": "GeoJSON", "PARQUET": "Parquet"}.get(kind, kind)
    raise Unavailable(f"the file could not be read as {label} ({_short(error) if error else 'no data'})")


def profile_download(
    download: Download, *, declared_format: str, workdir: Path, rows: int, max_columns: int
) -> Profile:
    """Read and profile a downloaded file. Raises Unavailable with the reason it cannot be previewed."""
    from django.conf import settings

    max_bytes = settings.PREVIEW_MAX_BYTES
    sniffed: Sniffed = sniff(download.path, declared_format=declared_format, charset=download.charset)
    notes = list(sniffed.notes)
    if download.truncated and sniffed.kind in ("XLSX", "PARQUET"):
        raise Unavailable(
            f"the file is larger than {_megabytes(max_bytes)}; a partial {sniffed.kind} file cannot be read"
        )
    path = download.path
    if sniffed.kind == "XLSX":
        path = workdir / "sheet.csv"
        notes += _xlsx_to_csv(download.path, path, max_bytes=max_bytes, max_ratio=settings.PREVIEW_MAX_RATIO)
    elif sniffed.kind != "PARQUET":
        path = workdir / "text.txt"  # a neutral name: DuckDB reads .geojson files its own way
        notes += to_utf8(
            download.path, path, encoding=sniffed.encoding, truncated=download.truncated, kind=sniffed.kind,
            max_bytes=max_bytes,
        )  # fmt: skip
    con = _connect(workdir)
    try:
        source = _source_sql(con, "CSV" if sniffed.kind == "XLSX" else sniffed.kind, path, max_bytes=max_bytes)
        described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
        # Geometry columns (a Parquet or JSON file DuckDB reads as spatial) are left out.
        kept = [(name, typ) for name, typ, *_ in described if typ.upper() != "GEOMETRY"]
        if not kept:
            raise Unavailable("the file holds no columns")
        if len(kept) > max_columns:
            notes.append(f"Showing the first {max_columns} of {len(kept)} columns.")
            kept = kept[:max_columns]
        if sniffed.kind == "JSON" and all(simple_type(t) in ("object", "array") for _, t in kept):
            raise Unavailable("the JSON is not a list of records")
        select = ", ".join(_ident(name) for name, _ in kept)
        # Read once into a table: the profile's queries then scan memory, not the file again.
        con.execute(f"CREATE TEMP TABLE p AS SELECT {select} FROM {source}")
        columns, total = _column_stats(con, kept)
        sample = [[cell(v) for v in row] for row in con.execute(f"SELECT * FROM p LIMIT {int(rows)}").fetchall()]
    except duckdb.Error as exc:
        raise Unavailable(f"the file could not be read ({_short(exc)})") from None
    finally:
        con.close()
    if download.truncated:
        notes.append(f"Only the first {_megabytes(max_bytes)} were read: the profile covers {total:,} rows.")
    return Profile(
        file_format=sniffed.kind,
        columns=columns,
        rows=sample,
        row_count=None if download.truncated else total,
        rows_profiled=total,
        encoding=sniffed.encoding,
        notes=notes,
    )


def _column_stats(con, kept: list[tuple[str, str]]) -> tuple[list[dict], int]:
    parts = ["count(*)"]
    for name, typ in kept:
        q = _ident(name)
        nested = simple_type(typ) in ("object", "array", "any")
        parts += [f"count({q})", "NULL" if nested else f"min({q})", "NULL" if nested else f"max({q})"]
        parts.append("NULL" if nested else f"approx_count_distinct({q})")
    stats = con.execute(f"SELECT {', '.join(parts)} FROM p").fetchone()
    total = int(stats[0])
    columns = []
    small = 0
    for i, (name, typ) in enumerate(kept):
        present, low, high, distinct = stats[1 + 4 * i : 5 + 4 * i]
        column = {
            "name": name,
            "type": simple_type(typ),
            "nulls": total - int(present),
            "min": _bounded(low),
            "max": _bounded(high),
            "distinct": int(distinct) if distinct is not None else None,
        }
        if distinct is not None and 0 < distinct <= SMALL_CARDINALITY and small < MAX_VALUE_COLUMNS:
            small += 1
            q = _ident(name)
            values = con.execute(
                f"SELECT {q}, count(*) FROM p WHERE {q} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 "
                f"LIMIT {SMALL_CARDINALITY + 1}"
            ).fetchall()
            if len(values) <= SMALL_CARDINALITY:
                column["distinct"] = len(values)
                column["values"] = [[_bounded(v), int(n)] for v, n in values]
        columns.append(column)
    return columns, total


def _bounded(value):
    value = cell(value)
    return value[: VALUE_CHARS - 1] + "…" if isinstance(value, str) and len(value) > VALUE_CHARS else value
