"""A catalog CSV at a URL: the same columns as ``manage.py import_catalog`` reads
(:mod:`catalog.importers.csv_seed`: dataset_id, title, description, source, agency, format, url, ...).

One document, fetched conditionally (ETag / Last-Modified -> 304, "not modified"). Every row
is a dataset of the harvest source (the ``source`` column only names the portal for the junk
rule). Malformed CSV fails the one page; bad rows are per-record errors.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

from catalog.harvest.http import FetchError, HarvestClient
from catalog.importers import ImportFormatError, csv_seed

from . import Context, Page

ORIGIN = csv_seed.ORIGIN
MODIFIED_SINCE = False


def pages(client: HarvestClient, ctx: Context) -> Iterator[Page]:
    conditional = {}
    if ctx.etag:
        conditional["If-None-Match"] = ctx.etag
    if ctx.last_modified:
        conditional["If-Modified-Since"] = ctx.last_modified
    try:
        fetched = client.get(ctx.url, headers=conditional, accept="text/csv, text/plain;q=0.5")
    except FetchError as exc:
        yield Page("file", failed=str(exc))
        return
    if fetched.not_modified:
        ctx.not_modified = True
        return
    # The importer reads files (BOM, encoding and format checks in one place): hand it one.
    with tempfile.TemporaryDirectory(prefix="harvest-csv-") as tmp:
        path = Path(tmp) / "catalog.csv"
        path.write_bytes(fetched.content)
        try:
            parsed = csv_seed.parse(path)
        except ImportFormatError as exc:
            yield Page("file", failed=str(exc).replace(str(path), "the CSV").replace("catalog.csv", "the CSV"))
            return
    page = Page("file", records=parsed.records, errors=parsed.errors)
    for error in parsed.errors:
        # "line 12 (id-42)": the id is kept so a bad row never withdraws its dataset.
        ident = error.ref.rsplit("(", 1)[-1].rstrip(")") if "(" in error.ref else ""
        if ident and ident != "no id":
            page.failed_ids.add(ident)
        else:
            page.unidentified_failures += 1
    for record in parsed.records:
        ctx.seen_modified(record.source_modified_at)
    ctx.new_etag = fetched.headers.get("ETag", "")
    ctx.new_last_modified = fetched.headers.get("Last-Modified", "")
    ctx.complete = True
    yield page
