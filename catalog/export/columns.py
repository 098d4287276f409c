"""The columns a distribution's preview found, for the Data Package's Table Schema and schema.org
``variableMeasured``: read from the ready previews (``catalog.previews``), each column as
``{"name": ..., "type": <inferred type>, ...profile}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from catalog.models import DistributionPreview

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
    """distribution id -> the columns of its ready preview (distributions without one are left out)."""
    ready = DistributionPreview.objects.filter(
        distribution_id__in=[d.pk for d in distributions], status=DistributionPreview.Status.READY
    )
    return {pk: list(columns or []) for pk, columns in ready.values_list("distribution_id", "columns")}
