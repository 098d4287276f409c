"""What each MCP tool does, as plain functions over the site's own services (no MCP types here).

``datasets_search`` is ``search.services.search`` (the ranking, family collapse and explanations of
/search and /api/search); ``dataset_get`` reads the dataset as /api/datasets/{id} does, plus its family;
previews and citations go through ``search.mcp.adapters``. Inputs are already shape-checked by the tool
layer; values the catalog must know (filter values, dataset ids) raise ``ToolInputError``.
"""

from __future__ import annotations

from typing import Any

from catalog import selectors
from catalog.api import DatasetDetailApi
from catalog.models import Dataset
from catalog.presentation import safe_url
from search import services as search_services
from search.ranking.documents import clean_description
from search.services.results import family_member_dicts, family_members_for

from . import adapters

DESCRIPTION_CHARS = 4000


class ToolInputError(Exception):
    """The arguments name something the catalog does not have, or a value it rejects."""


def datasets_search(*, user, query: str, filters: dict, top_k: int, page: int, sort: str) -> dict[str, Any]:
    """Ranked results as /api/search returns them, links limited to http(s)."""
    try:
        response = search_services.search(query=query, filters=filters, top_k=top_k, page=page, sort=sort, user=user)
    except search_services.SearchValidationError as exc:
        raise ToolInputError(_errors_text(exc.errors)) from exc
    data = response.to_dict()
    for hit in data["results"]:
        hit["url"] = safe_url(hit["url"])
        for member in hit.get("members") or []:
            _safe_member_urls(member)
    return data


def dataset_get(*, user, dataset_id: int) -> dict[str, Any]:
    """The dataset as /api/datasets/{id} shows it, with plain-text description and its family."""
    dataset = _visible(user, dataset_id)
    data = dict(DatasetDetailApi.OutputSerializer(dataset).data)
    description = clean_description(dataset.description)
    if len(description) > DESCRIPTION_CHARS:
        description = description[: DESCRIPTION_CHARS - 1].rstrip() + "…"
    data["description"] = description
    data["url"] = safe_url(data["url"])
    data["distributions"] = [{**d, "url": safe_url(d["url"])} for d in data["distributions"]]
    data["family"] = None
    if dataset.family_id:
        fam, members = family_members_for([dataset], user=user).get(dataset.family_id, (None, []))
        if fam is not None and len(members) > 1:
            data["family"] = {
                "id": fam.pk,
                "kind": fam.kind,
                "title": fam.title,
                "size": len(members),
                "members": [_safe_member_urls(m) for m in family_member_dicts(members, lead=dataset.pk)],
            }
    return data


def dataset_preview(*, user, dataset_id: int, max_rows: int) -> dict[str, Any]:
    dataset = _visible(user, dataset_id)
    payload = adapters.preview_payload(dataset, max_rows=max_rows)
    distribution = payload.get("distribution")
    if distribution:
        distribution = {**distribution, "url": safe_url(distribution.get("url"))}
    return {
        "dataset_id": dataset.pk,
        "status": payload["status"],
        "reason": payload.get("reason") or "",
        "distribution": distribution,
        "row_count": payload.get("row_count"),
        "columns": list(payload.get("columns") or []),
        "rows": list(payload.get("rows") or [])[:max_rows],
    }


def dataset_cite(*, user, dataset_id: int, style: str) -> dict[str, Any]:
    dataset = _visible(user, dataset_id)
    try:
        citation = adapters.citation_payload(dataset, style=style)
    except adapters.CitationUnavailable as exc:
        raise ToolInputError(str(exc)) from exc
    return {"dataset_id": dataset.pk, **citation}


def _visible(user, dataset_id: int) -> Dataset:
    try:
        return selectors.dataset_get_visible(pk=dataset_id, user=user)
    except Dataset.DoesNotExist:
        raise ToolInputError(f"No dataset with id {dataset_id}.") from None


def _safe_member_urls(member: dict) -> dict:
    member["url"] = safe_url(member.get("url"))
    member["distributions"] = [{**d, "url": safe_url(d.get("url"))} for d in member.get("distributions") or []]
    return member


def _errors_text(errors: dict[str, list[str]]) -> str:
    parts = [f"{'query' if name == 'q' else name}: {' '.join(messages)}" for name, messages in errors.items()]
    return "Invalid arguments: " + "; ".join(parts)
