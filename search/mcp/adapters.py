"""The two seams the MCP tools read through for features built elsewhere: previews and citations.

Each is one function with a fixed contract, so the tools never change when the real service lands:

- ``preview_payload(dataset, *, max_rows)`` -> ``{"status": "ready" | "pending" | "unavailable",
  "reason": str, "distribution": {"title", "format", "url"} | None, "row_count": int | None,
  "columns": [{"name", "type", "nulls", "min", "max", "distinct"}], "rows": [[...], ...]}``
  (at most ``max_rows`` rows, each a list in column order). Until the preview service
  (``catalog.previews``, a ``DistributionPreview`` model) is merged, every dataset is "unavailable".
- ``citation_payload(dataset, *, style)`` -> ``{"style", "text", "media_type"}`` from
  ``catalog.export.citation`` (BibTeX, RIS, CSL-JSON, APA), or ``CitationUnavailable`` for an unknown style.
"""

from __future__ import annotations

from typing import Any, Literal

from django.conf import settings

from catalog.export import citation
from catalog.models import Dataset

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
    """``dataset`` cited in ``style`` by the catalog's citation service (the page's and the API's),
    links absolute against ``SITE_URL``."""
    if style not in citation.FORMATS:
        raise CitationUnavailable(f"Unknown citation style {style!r}; use one of: {', '.join(citation.FORMATS)}.")
    media_type = citation.FORMATS[style][0]
    text = citation.citation_render(dataset, fmt=style, base_url=settings.SITE_URL)
    return {"style": style, "text": text, "media_type": media_type}
