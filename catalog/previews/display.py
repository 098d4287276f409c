"""A distribution's preview as the dataset page and the API show it (plain dicts, no HTML)."""

from __future__ import annotations

from catalog.models import Distribution, DistributionPreview
from catalog.previews.service import distribution_format

TOP_VALUES_SHOWN = 5


def preview_display(distribution: Distribution, preview: DistributionPreview | None) -> dict:
    """``status`` is ready, pending, unavailable or none (never queued); the rest is what there is to show."""
    shown = {
        "distribution_id": distribution.pk,
        "title": distribution.title,
        "format": distribution_format(distribution),
        "status": preview.status if preview else "none",
        "reason": preview.reason if preview else "",
        "columns": [],
        "rows": [],
        "cells": [],  # rows as strings, "" for an empty cell (the page's table)
        "row_count": None,
        "rows_profiled": None,
        "notes": [],
        "file_size": preview.file_size if preview else None,
        "fetched_at": preview.fetched_at if preview else None,
    }
    if preview is None or preview.status != DistributionPreview.Status.READY:
        return shown
    columns = []
    for column in preview.columns:
        values = column.get("values") or []
        columns.append(
            {
                **column,
                "top": ", ".join(f"{v} ({n})" for v, n in values[:TOP_VALUES_SHOWN])
                + (", …" if len(values) > TOP_VALUES_SHOWN else ""),
            }
        )
    shown.update(
        columns=columns,
        rows=preview.rows,
        cells=[["" if v is None else str(v) for v in row] for row in preview.rows],
        row_count=preview.row_count,
        rows_profiled=preview.rows_profiled,
        notes=list(preview.notes or []),
    )
    return shown
