"""The two seams the MCP tools read through for features built elsewhere: previews and citations.

Each is one function with a fixed contract, so the tools never change when the real service lands:

- ``preview_payload(dataset, *, max_rows)`` -> ``{"status": "ready" | "pending" | "unavailable",
  "reason": str, "distribution": {"title", "format", "url"} | None, "row_count": int | None,
  "columns": [{"name", "type", "nulls", "min", "max", "distinct"}], "rows": [[...], ...]}``
  (at most ``max_rows`` rows, each a list in column order), from ``catalog.previews``.
- ``citation_payload(dataset, *, style)`` -> ``{"style", "text", "media_type"}`` from
  ``catalog.export.citation`` (BibTeX, RIS, CSL-JSON, APA), or ``CitationUnavailable`` for an unknown style.
"""

from __future__ import annotations

from typing import Any, Literal

from django.conf import settings

from catalog import previews
from catalog.export import citation
from catalog.models import Dataset, DistributionPreview
from catalog.presentation import safe_url

# The styles the tool offers (its input schema lists them); one not made yet is a CitationUnavailable.
CitationStyle = Literal["apa", "bibtex", "ris", "csl-json"]


class CitationUnavailable(Exception):
    """This style cannot be produced for the dataset (the message says why)."""


def preview_payload(dataset: Dataset, *, max_rows: int) -> dict[str, Any]:
    """The preview of ``dataset``'s first previewable distribution, preferring a ready one (see the
    module's contract), from ``catalog.previews`` as the dataset page shows it."""
    pairs = previews.dataset_previews(dataset)
    if not pairs:
        return {"status": "unavailable", "reason": "no tabular or feature file to preview", "distribution": None,
                "row_count": None, "columns": [], "rows": []}  # fmt: skip
    ready = [(d, p) for d, p in pairs if p is not None and p.status == DistributionPreview.Status.READY]
    distribution, preview = (ready or pairs)[0]
    shown = previews.preview_display(distribution, preview)
    status = shown["status"] if shown["status"] in ("ready", "pending", "unavailable") else "pending"
    keys = ("name", "type", "nulls", "min", "max", "distinct")
    return {
        "status": status,
        "reason": shown["reason"] or ("not made yet" if shown["status"] == "none" else ""),
        "distribution": {"title": distribution.title, "format": shown["format"], "url": safe_url(distribution.url)},
        "row_count": shown["row_count"],
        "columns": [{k: column.get(k) for k in keys} for column in shown["columns"]],
        "rows": [list(row) for row in shown["rows"][:max_rows]],
    }


def citation_payload(dataset: Dataset, *, style: str) -> dict[str, str]:
    """``dataset`` cited in ``style`` by the catalog's citation service (the page's and the API's),
    links absolute against ``SITE_URL``."""
    if style not in citation.FORMATS:
        raise CitationUnavailable(f"Unknown citation style {style!r}; use one of: {', '.join(citation.FORMATS)}.")
    media_type = citation.FORMATS[style][0]
    text = citation.citation_render(dataset, fmt=style, base_url=settings.SITE_URL)
    return {"style": style, "text": text, "media_type": media_type}
