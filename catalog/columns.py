"""Column names in one comparable form (pure: search's ranking uses it too), and portal-described columns.

``column_key("postalCode") == column_key("POSTAL_CODE") == column_key("Postal code") == "postal code"``:
camelCase and digit boundaries split, underscores, hyphens, dots and slashes become spaces, accents
and case folded.
"""

from __future__ import annotations

import re
import unicodedata

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SEPARATORS = re.compile(r"[^0-9a-z]+")


def column_key(name: str) -> str:
    """The comparable form of a column name (words in lower case, single spaces)."""
    text = unicodedata.normalize("NFKD", str(name or ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _CAMEL.sub(" ", text).lower()
    return " ".join(_SEPARATORS.sub(" ", text).split())


def portal_columns(extra: dict | None) -> list[dict]:
    """Columns a portal describes in its metadata (``extra["columns"]``: [{"name", "title", "type"}])."""
    raw = (extra or {}).get("columns") if isinstance(extra, dict) else None
    out = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"].strip():
            out.append({k: item[k] for k in ("name", "title", "type", "unit") if isinstance(item.get(k), str)})
    return out


def merge_columns(groups: list[list[dict]]) -> list[dict]:
    """Columns from several sources, once per key, in first-seen order (the first source's entry wins)."""
    seen: dict[str, dict] = {}
    for columns in groups:
        for column in columns:
            key = column_key(column.get("name", ""))
            if key and key not in seen:
                seen[key] = column
    return list(seen.values())
