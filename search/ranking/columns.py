"""Column-level search (pure): the columns a query asks for, and which of a dataset's columns match.

"datasets with a postal code column" asks for ``postal code``; "has columns town and resale_price" for
``town`` and ``resale price``. Names compare as ``catalog.columns.column_key`` words, each stemmed, a
requested name matching a column whose words contain it in order ("price" matches ``resale_price``).
"""

from __future__ import annotations

import re

from catalog.columns import column_key
from search.text import stem

_VERB = r"(?:with|has|have|having|contains?|containing|includes?|including)"
_AFTER = re.compile(
    rf"\b{_VERB}\s+(?:an?\s+|the\s+)?(?:columns?|fields?)\s*(?:named\s+|called\s+|:\s*)?(?P<names>.+)$", re.I
)
_BEFORE = re.compile(rf"\b{_VERB}\s+(?:an?\s+|the\s+)?(?P<names>[^,.;:!?]+?)\s+(?:columns?|fields?)\b", re.I)
_SPLIT = re.compile(r"\s*(?:,|;|&|\+|/|\band\b)\s*", re.I)
_ARTICLE = re.compile(r"^(?:an?|the)\s+", re.I)
_TRAILING = re.compile(r"\s+(?:columns?|fields?)$", re.I)
MAX_REQUESTED = 8
COLUMN_BOOST = 1.0  # ranking bonus of a dataset that has every requested column: ahead of those without
COLUMN_MATCH_SCORE = 0.6  # the least score such a dataset reports (above the "nothing good" threshold)


def requested_columns(query: str) -> list[str]:
    """The column keys a query explicitly asks for ("with a X column", "has columns X and Y"); [] if none."""
    match = _AFTER.search(query or "") or _BEFORE.search(query or "")
    if not match:
        return []
    names = re.split(r"[.?!]", match.group("names"))[0]
    keys: list[str] = []
    for part in _SPLIT.split(names):
        part = _TRAILING.sub("", _ARTICLE.sub("", part.strip()))
        key = column_key(part)
        if key and key not in keys:
            keys.append(key)
    return keys[:MAX_REQUESTED]


def _words(key: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in key.split())


def key_matches(wanted: str, key: str) -> bool:
    """Whether the column ``key`` holds the requested ``wanted`` words, in order and adjacent."""
    w, k = _words(wanted), _words(key)
    return bool(w) and any(k[i : i + len(w)] == w for i in range(len(k) - len(w) + 1))


def matched_columns(query: str, names: list[str]) -> list[str]:
    """The column names (as the dataset spells them) a query names: those it asks for, else multi-word
    columns whose every word the query contains ("postal code" names ``postal_code``)."""
    if not names:
        return []
    wanted = requested_columns(query)
    keys = [column_key(n) for n in names]
    if wanted:
        out = []
        for w in wanted:
            hit = next((n for n, k in zip(names, keys, strict=True) if key_matches(w, k)), None)
            if hit is not None and hit not in out:
                out.append(hit)
        return out
    query_words = set(_words(column_key(query)))
    return [n for n, k in zip(names, keys, strict=True) if len(k.split()) >= 2 and set(_words(k)) <= query_words]


def column_reason(columns: list[str]) -> str:
    quoted = ", ".join(f"'{c}'" for c in columns[:3])
    return f"has column{'s' if len(columns) > 1 else ''} {quoted}"
