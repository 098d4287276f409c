"""Data previews: the first rows, columns and a profile of a distribution's file.

    fetch.py    the bounded download (caps, deadline, decompression limits, data.gov.sg download flow)
    decode.py   what the bytes are (format, encoding) and their text as UTF-8
    profile.py  reading and profiling with DuckDB (XLSX through openpyxl)
    service.py  which distributions get a preview, queueing, making one (the task's body)
    display.py  a preview as the page and the API show it

The API other code uses: ``preview_for(distribution)``, ``dataset_previews(dataset)``,
``columns_for(dataset)``, ``column_key(name)`` (from ``catalog.columns``, pure), ``previews_queue(...)`` and ``preview_refresh(...)``.
"""

from catalog.columns import column_key, merge_columns, portal_columns
from catalog.previews.display import preview_display
from catalog.previews.fetch import Unavailable, is_datagovsg_api
from catalog.previews.service import (
    column_names_by_dataset,
    columns_for,
    dataset_previews,
    distribution_download_url,
    distribution_format,
    is_previewable,
    preview_for,
    preview_is_current,
    preview_make,
    preview_refresh,
    previews_due,
    previews_follow_changes,
    previews_queue,
)

__all__ = [
    "Unavailable",
    "column_key",
    "column_names_by_dataset",
    "columns_for",
    "dataset_previews",
    "distribution_download_url",
    "distribution_format",
    "is_datagovsg_api",
    "is_previewable",
    "merge_columns",
    "portal_columns",
    "preview_display",
    "preview_for",
    "preview_is_current",
    "preview_make",
    "preview_refresh",
    "previews_due",
    "previews_follow_changes",
    "previews_queue",
]
