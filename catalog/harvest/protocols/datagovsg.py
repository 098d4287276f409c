"""data.gov.sg v2 public API (https://guide.data.gov.sg/developer-guide/dataset-apis).

What we rely on, from the portal's developer guide (its OpenAPI excerpt for "List all datasets"):
``GET <base>/v2/public/api/datasets?page=N`` (N from 1; base ``https://api-production.data.gov.sg``)
answers ``{"code": 0, "data": {"datasets": [{datasetId, createdAt, name, status, format,
lastUpdatedAt, managedByAgencyName, coverageStart, coverageEnd, ...}], "pages": <total pages>},
"errorMsg": ""}``; the collection APIs answer ``GET <base>/v2/public/api/collections?page=N`` with
``{"code": 0, "data": {"collections": [{collectionId, name, description, frequency,
managedByAgencyName, childDatasets: [...]}], "pages": N}}``. A non-zero ``code`` is an error.
The guide states a quota (5 requests a minute without a key; 429 beyond): the client's rate
limit and Retry-After handling cover it (set HARVEST_MIN_INTERVAL_SECONDS=12 for this portal).

There is no modified-since filter: every run lists everything (cheap: ~2,000 datasets at 100
per page), unchanged records are not written, and the complete listing lets withdrawals happen.
Config: ``collections`` (default true) fetches collections first so datasets inherit the
collection's description, publisher and frequency exactly as :mod:`catalog.importers.datagovsg`.
``metadata`` (default false): the listing carries no description, so with it each new or changed
dataset (its ``lastUpdatedAt`` differs from the stored one) is completed from
``GET <base>/v2/public/api/datasets/<id>/metadata`` (``data.description``); listed datasets with the
same ``lastUpdatedAt`` are counted unchanged without a request. At the keyless quota that is 12 s
per changed dataset, so turn it on with an API quota that fits, or after a file import of the
snapshot (then only the changes are fetched). A failed metadata request is that record's error
(kept, never withdrawn).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from django.conf import settings

from catalog.harvest.http import FetchError, HarvestClient
from catalog.importers import datagovsg
from catalog.importers.base import RecordInvalid, parse_datetime, text

from . import Context, Page, records_page

ORIGIN = datagovsg.ORIGIN
MODIFIED_SINCE = False
USES_KNOWN_MODIFIED = True  # with config metadata: skip datasets whose lastUpdatedAt is unchanged


def _listing(client: HarvestClient, url: str, page: int, key: str) -> tuple[list, int]:
    data = client.get(url, params={"page": page}).json()
    if not isinstance(data, dict) or data.get("code") != 0 or not isinstance(data.get("data"), dict):
        message = data.get("errorMsg") if isinstance(data, dict) else None
        raise FetchError(f"data.gov.sg reported an error: {str(message or 'unexpected response')[:200]}")
    items, pages = data["data"].get(key), data["data"].get("pages")
    if not isinstance(items, list):
        raise FetchError(f"no {key} list in the response")
    return items, pages if isinstance(pages, int) and pages > 0 else 1


def _walk(client: HarvestClient, url: str, key: str) -> Iterator[tuple[str, list | None, str]]:
    """(ref, items or None, failure reason) per page, pages 1..<pages>."""
    total: int | None = None
    page = 1
    while page <= min(total or 1, settings.HARVEST_MAX_PAGES):
        ref = f"{key} page {page}"
        try:
            items, pages = _listing(client, url, page, key)
        except FetchError as exc:
            yield ref, None, str(exc)
            if total is None:
                return
        else:
            total = total or pages
            yield ref, items, ""
        page += 1


def pages(client: HarvestClient, ctx: Context) -> Iterator[Page]:
    base = ctx.url.rstrip("/").split("/v2/", 1)[0]
    failed = False
    collections: dict[str, dict] = {}
    if ctx.config.get("collections", True):
        for ref, items, reason in _walk(client, f"{base}/v2/public/api/collections", "collections"):
            if items is None:
                failed = True
                yield Page(ref, failed=reason)
                continue
            for coll in items:
                if isinstance(coll, dict):
                    for child in coll.get("childDatasets") or []:
                        collections.setdefault(str(child), coll)
    seen_pages = 0
    for ref, items, reason in _walk(client, f"{base}/v2/public/api/datasets", "datasets"):
        if items is None:
            failed = True
            yield Page(ref, failed=reason)
            continue
        seen_pages += 1
        unchanged: set[str] = set()
        if ctx.config.get("metadata"):
            items, unchanged = _skip_unchanged(items, ctx)

        def build(raw: dict[str, Any]):
            ext_id = text(raw.get("datasetId"), "datasetId", required=True)
            if ctx.config.get("metadata"):
                raw = _with_metadata(client, base, raw, ext_id)
            return datagovsg._record(raw, ext_id, collections.get(ext_id))

        page = records_page(ref, items, build, lambda raw: raw.get("datasetId"), ctx)
        page.unchanged_ids = unchanged
        yield page
    ctx.complete = not failed and seen_pages > 0


def _skip_unchanged(items: list, ctx: Context) -> tuple[list, set[str]]:
    """(items to rebuild, ids whose lastUpdatedAt equals the stored source_modified_at)."""
    rebuild, unchanged = [], set()
    for raw in items:
        ext_id = raw.get("datasetId") if isinstance(raw, dict) else None
        if isinstance(ext_id, str) and ext_id in ctx.known_modified:
            try:
                listed = parse_datetime(raw.get("lastUpdatedAt"), "lastUpdatedAt")
            except RecordInvalid:
                listed = None
            if listed is not None and listed == ctx.known_modified[ext_id]:
                unchanged.add(ext_id)
                continue
        rebuild.append(raw)
    return rebuild, unchanged


def _with_metadata(client: HarvestClient, base: str, raw: dict[str, Any], ext_id: str) -> dict[str, Any]:
    try:
        data = client.get(f"{base}/v2/public/api/datasets/{quote(ext_id, safe='')}/metadata").json()
    except FetchError as exc:
        raise RecordInvalid(f"metadata not fetched: {exc}") from None
    meta = data.get("data") if isinstance(data, dict) and data.get("code") == 0 else None
    if not isinstance(meta, dict):
        raise RecordInvalid("metadata not fetched: data.gov.sg reported an error")
    more: dict[str, Any] = {}
    if isinstance(meta.get("description"), str):
        more["description"] = meta["description"]
    if isinstance(meta.get("columnMetadata"), dict):  # the columns, for column search (extra["columns"])
        more["columnMetadata"] = meta["columnMetadata"]
    return raw | more
