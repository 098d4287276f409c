"""The columns a distribution's preview found, for the Data Package's Table Schema (and later
schema.org ``variableMeasured``).

Merge point with the preview work (issue 14 item 1): ``distribution_columns`` returns nothing
until the preview model exists; it is then the one place to read it, e.g.
``{p.distribution_id: p.columns for p in Preview.objects.filter(distribution__in=..., status="ready")}``
with each column as ``{"name": ..., "type": <inferred type>, "description"?: ...}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# Inferred types (DuckDB / pandas names) -> Table Schema field types.
_TYPES = {
    "string": "string",
    "varchar": "string",
    "text": "string",
    "object": "string",
    "integer": "integer",
    "int": "integer",
    "bigint": "integer",
    "smallint": "integer",
    "tinyint": "integer",
    "hugeint": "integer",
    "int64": "integer",
    "ubigint": "integer",
    "number": "number",
    "double": "number",
    "float": "number",
    "real": "number",
    "decimal": "number",
    "float64": "number",
    "boolean": "boolean",
    "bool": "boolean",
    "date": "date",
    "time": "time",
    "timestamp": "datetime",
    "datetime": "datetime",
    "timestamp with time zone": "datetime",
    "datetime64[ns]": "datetime",
    "json": "object",
    "struct": "object",
    "list": "array",
}


def table_schema_type(inferred: str) -> str:
    key = (inferred or "").strip().lower().split("(")[0].strip()
    return _TYPES.get(key, "any")


def distribution_columns(distributions: Iterable[Any]) -> dict[int, list[dict[str, Any]]]:
    """distribution id -> its preview's columns; empty until previews exist (see module docstring)."""
    return {}
