"""Catalog writes: imports, quality scores, curator status changes.

Every write that changes datasets ends with the ``catalog.signals.datasets_changed`` signal (which queues
its work on commit).

    imports.py   catalog_import: idempotent upserts of a parsed catalog file (ImportReport)
    quality.py   the quality formula for one dataset, and bulk recomputation
    curation.py  curator edits: derived fields refreshed, (de)activation kept across re-imports
    families.py  after each import: titles repaired, junk hidden, dataset families recomputed; curator split/merge
    bulk.py      batching helpers shared by the above
"""

from catalog.importers import ImportFormatError

from .curation import dataset_refresh_derived, dataset_status_set, datasets_delete
from .families import catalog_tidy_and_group, family_merge, family_recompute, family_split
from .imports import ImportReport, catalog_import
from .quality import dataset_quality_score, quality_recompute

__all__ = [
    "ImportFormatError",
    "ImportReport",
    "catalog_import",
    "catalog_tidy_and_group",
    "dataset_quality_score",
    "dataset_refresh_derived",
    "dataset_status_set",
    "datasets_delete",
    "family_merge",
    "family_recompute",
    "family_split",
    "quality_recompute",
]
