"""Near-duplicate datasets (kept out of "similar datasets")."""

from __future__ import annotations

import re

from search.text import normalize

NEAR_DUPLICATE_COSINE = 0.97
_FORMAT_SUFFIX_RE = re.compile(
    r"\((?:csv|xlsx?|kml|kmz|shp|geojson|json|api|pdf)\)|\s[-–]\s*(?:csv|xlsx?|kml|kmz|shp|geojson|json|api|pdf)\s*$"
)
_TITLE_NOISE_RE = re.compile(r"[^a-z0-9]+")


def normalise_title(title: str) -> str:
    """Title reduced for duplicate checks: lower case, no punctuation or format suffix."""
    return _TITLE_NOISE_RE.sub(" ", _FORMAT_SUFFIX_RE.sub(" ", normalize(title))).strip()


def is_near_duplicate(title_a: str, title_b: str, cosine: float, *, threshold: float = NEAR_DUPLICATE_COSINE) -> bool:
    """Two datasets are near-duplicates when their embeddings almost coincide or their titles are the same."""
    if cosine >= threshold:
        return True
    a, b = normalise_title(title_a), normalise_title(title_b)
    return bool(a) and a == b
