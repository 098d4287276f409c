"""The two seams the MCP tools read through for features built elsewhere: previews and citations.

Each is one function with a fixed contract, so the tools never change when the real service lands:

- ``preview_payload(dataset, *, max_rows)`` -> ``{"status": "ready" | "pending" | "unavailable",
  "reason": str, "distribution": {"title", "format", "url"} | None, "row_count": int | None,
  "columns": [{"name", "type", "nulls", "min", "max", "distinct"}], "rows": [[...], ...]}``
  (at most ``max_rows`` rows, each a list in column order). Until the preview service
  (``catalog.previews``, a ``DistributionPreview`` model) is merged, every dataset is "unavailable".
- ``citation_payload(dataset, *, style)`` -> ``{"style", "text", "media_type"}``, or
  ``CitationUnavailable`` for a style that cannot be produced. Until ``catalog/export/citation.py``
  is merged only APA is made, here, from the dataset's own fields.
"""

from __future__ import annotations

from typing import Any, Literal

from catalog.models import Dataset
from catalog.presentation import safe_url

# The styles the tool offers (its input schema lists them); one not made yet is a CitationUnavailable.
CitationStyle = Literal["apa", "bibtex", "ris", "csl-json"]


class CitationUnavailable(Exception):
    """This style cannot be produced for the dataset (the message says why)."""


def preview_payload(dataset: Dataset, *, max_rows: int) -> dict[str, Any]:
    """The preview of ``dataset``'s first tabular distribution (see the module's contract)."""
    return {
        "status": "unavailable",
        "reason": "previews not built",
        "distribution": None,
        "row_count": None,
        "columns": [],
        "rows": [],
    }


def citation_payload(dataset: Dataset, *, style: str) -> dict[str, str]:
    """``dataset`` cited in ``style`` (see the module's contract). Assumes ``source`` and ``publisher``
    are loaded with it."""
    if style != "apa":
        raise CitationUnavailable(f"The {style} citation style is not available yet; use apa.")
    return {"style": "apa", "text": _apa(dataset), "media_type": "text/plain"}


def _apa(dataset: Dataset) -> str:
    """APA 7 for a data set: Author. (Year). Title [Data set]. Publisher. URL."""
    author = dataset.publisher.name if dataset.publisher else dataset.source.name
    when = dataset.source_modified_at or dataset.source_created_at
    year = str(when.year) if when else "n.d."
    title = " ".join(dataset.title.split()).rstrip(".")
    parts = [f"{_sentence(author)} ({year}).", f"{title} [Data set]."]
    if dataset.source.name and dataset.source.name != author:
        parts.append(_sentence(dataset.source.name))
    url = safe_url(dataset.landing_url)
    if url:
        parts.append(url)
    return " ".join(parts)


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith(".") else f"{text}."
