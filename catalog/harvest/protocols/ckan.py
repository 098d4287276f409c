"""CKAN action API: ``package_search`` paged with ``rows``/``start``.

Config: ``rows`` (page size, capped at HARVEST_MAX_PAGE_SIZE), ``fq`` (a Solr filter, e.g.
``organization:nea``). Incremental runs add ``metadata_modified:[<watermark> TO *]`` (inclusive:
boundary records come back "unchanged"). Pages are sorted by ``id asc`` so an edit during the
run does not move a package across pages. The listing is complete when the run was not
incremental, every page was fetched and at least the ``count`` of the first page was seen.
Packages map as in :mod:`catalog.importers.ckan` (landing page ``<portal>/dataset/<name>``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings

from catalog.harvest.http import FetchError, HarvestClient
from catalog.importers import ckan
from catalog.importers.base import text

from . import Context, Page, records_page

ORIGIN = ckan.ORIGIN
MODIFIED_SINCE = True


def endpoint(url: str) -> tuple[str, str]:
    """(package_search URL, portal base URL) from whatever the curator pasted."""
    url = url.rstrip("/")
    portal = url.split("/api/", 1)[0] if "/api/" in url else url
    return f"{portal}/api/3/action/package_search", portal


def _build(pkg: dict, ctx: Context, portal: str):
    ext_id = text(pkg.get("id") or pkg.get("name"), "id", required=True, max_length=300)
    ref = text(pkg.get("name"), "name") or ext_id
    record = ckan._record(pkg, ext_id, ref, ctx.source, portal)
    record.ref = ext_id
    return record


def pages(client: HarvestClient, ctx: Context) -> Iterator[Page]:
    search_url, portal = endpoint(ctx.url)
    rows = max(1, min(int(ctx.config.get("rows") or settings.HARVEST_MAX_PAGE_SIZE), settings.HARVEST_MAX_PAGE_SIZE))
    filters = [str(ctx.config["fq"])] if ctx.config.get("fq") else []
    if ctx.modified_since is not None:
        stamp = ctx.modified_since.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        filters.append(f"metadata_modified:[{stamp} TO *]")
    count: int | None = None
    start, seen, failed = 0, 0, False
    for _ in range(settings.HARVEST_MAX_PAGES):
        if count is not None and start >= count:
            break
        ref = f"start={start}"
        params: dict[str, Any] = {"q": "*:*", "rows": rows, "start": start, "sort": "id asc"}
        if filters:
            params["fq"] = " AND ".join(f"({f})" for f in filters)
        try:
            data = client.get(search_url, params=params).json()
            if not isinstance(data, dict) or data.get("success") is not True:
                error = data.get("error") if isinstance(data, dict) else None
                raise FetchError(f"CKAN reported an error: {str(error)[:200]}")
            result = data.get("result")
            if not isinstance(result, dict) or not isinstance(result.get("results"), list):
                raise FetchError("not a package_search result")
        except FetchError as exc:
            failed = True
            yield Page(ref, failed=str(exc))
            if count is None:
                return  # without a first page the size of the listing is unknown
            start += rows
            continue
        if isinstance(result.get("count"), int):
            count = result["count"] if count is None else count
        packages = result["results"]
        seen += len(packages)
        yield records_page(ref, packages, lambda p: _build(p, ctx, portal), lambda p: p.get("id") or p.get("name"), ctx)
        if not packages:
            break
        start += rows
    else:
        failed = True
    ctx.complete = ctx.modified_since is None and not failed and count is not None and seen >= count
