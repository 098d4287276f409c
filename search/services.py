"""Search services. (Placeholders until the search issue lands; signatures are the contract.)"""

from __future__ import annotations


def index_health() -> dict:
    """Readiness of the search index: ``ready`` plus version/size/embedded counts."""
    return {"ready": True, "version": 0, "size": 0, "embedded": 0}


def datasets_changed(*, dataset_ids: list[int]) -> None:
    """Called by catalog writes (imports, curator edits): schedule re-embedding and an index bump.

    Safe to call inside a transaction: the work is queued on commit.
    """


def index_ensure() -> None:
    """Make sure every active dataset is embedded and a current index exists (used by bootstrap)."""
