"""Search services. (Placeholder until the search issue lands.)"""

from __future__ import annotations


def index_health() -> dict:
    """Readiness of the search index: ``ready`` plus version/size/embedded counts."""
    return {"ready": True, "version": 0, "size": 0, "embedded": 0}
