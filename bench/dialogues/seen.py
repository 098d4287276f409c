"""What the user sees after a turn: the outcome record, results enriched from the catalog, text of tables."""

from __future__ import annotations

from dataclasses import dataclass, field

from catalog.models import Dataset


@dataclass
class CheckResult:
    check: str
    arg: object
    passed: bool
    observed: str = ""


@dataclass
class TurnOutcome:
    dialogue_id: str
    turn: int  # 1-based
    user: str
    tags: list[str]
    status: int
    intent: str | None
    reply: str  # everything the user reads: reply, answer, table
    results: list[dict]  # the list on screen after the turn, enriched from the catalog
    search_state: dict | None
    response: dict
    checks: list[CheckResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ids(self) -> list:
        return [r.get("id") for r in self.results]


_CATALOG_CACHE: dict[int, dict] = {}


def _catalog_row(dataset_id) -> dict:
    if dataset_id in _CATALOG_CACHE:
        return _CATALOG_CACHE[dataset_id]
    row = {}
    ds = Dataset.objects.select_related("publisher", "source").filter(pk=dataset_id).first()
    if ds is not None:
        row = {
            "id": ds.pk,
            "title": ds.title,
            "publisher": ds.publisher.name if ds.publisher else None,
            "source": ds.source.slug,
            "source_name": ds.source.name,
            "formats": list(ds.formats or []),
            "temporal_start": ds.temporal_start.isoformat() if ds.temporal_start else None,
            "temporal_end": ds.temporal_end.isoformat() if ds.temporal_end else None,
            "frequency": ds.update_frequency or "",
            "license": ds.license or "",
            "landing_url": ds.landing_url or "",
            "page_url": ds.get_absolute_url(),
            "paper_url": (ds.extra or {}).get("paper_url") or "",
            "modified": ds.source_modified_at.isoformat() if ds.source_modified_at else None,
        }
    _CATALOG_CACHE[dataset_id] = row
    return row


def enrich(result: dict) -> dict:
    """A shown result plus the catalog fields the API does not return (frequency, licence, links)."""
    row = dict(_catalog_row(result.get("id")))
    for key, value in result.items():
        if value is not None or key not in row:
            row[key] = value
    if not row.get("frequency"):
        row["frequency"] = result.get("update_frequency") or result.get("frequency") or row.get("frequency") or ""
    return row


def _state_ids(state) -> list | None:
    """The shown result ids a search_state carries (result_ids, shown_ids, last_results, {"ids": [...]} …)."""
    if not isinstance(state, dict):
        return None
    keys = ["result_ids", "shown_ids", "shown", "last_shown", "last_results", "results"]
    keys += [k for k in state if ("result" in k or "shown" in k) and k not in keys]
    for key in keys:
        value = state.get(key)
        if isinstance(value, dict):
            value = value.get("ids") or value.get("result_ids")
        if isinstance(value, list) and value:
            ids = [v.get("id") if isinstance(v, dict) else v for v in value]
            if all(isinstance(i, int) for i in ids):
                return ids
    return None


def _flatten(value) -> str:
    """A table/comparison structure as text (cells, headers, titles), for the reply checks."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return " | ".join(f"{k}: {_flatten(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "\n".join(_flatten(v) for v in value)
    return str(value)


def _table_structures(response: dict) -> list:
    found = []
    answer_data = response.get("answer_data") or {}
    state = response.get("search_state") or {}
    for holder in (
        response,
        answer_data if isinstance(answer_data, dict) else {},
        state if isinstance(state, dict) else {},
    ):
        for key in ("table", "comparison", "compare"):
            if holder.get(key):
                found.append(holder[key])
    return found
