"""One harvest run: fetch a source's listing page by page and feed each page to the record pipeline.

``harvest_run`` is the one entry point (Celery task, admin "harvest now", ``manage.py harvest``).
The rules it keeps:

- each page is written in its own transaction (``catalog.services.pipeline.records_apply``), so
  a later failure never undoes an earlier page, and a re-run writes nothing new ("unchanged");
- a bad record is a per-record error (id + reason); a page that cannot be fetched or read is a
  page error and the run goes on with the next page where the protocol knows it (status partial);
- incremental where the protocol allows: modified-since (CKAN) after a complete run, a full
  listing at least every HARVEST_FULL_EVERY_HOURS; ETag / Last-Modified for single documents;
- only a complete, successful listing withdraws: datasets of the source it no longer lists are
  hidden (inactive), kept and marked (``extra.withdrawn``: time, reason, run), and come back
  when listed again. A listing with zero records never withdraws anything (a portal hiccup
  looks exactly like that), nor does one with a failed record whose id is unknown;
- one run per source at a time (a cache lock); the modified-since watermark only moves after a
  run without failures, so nothing a failed page held is skipped next time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import timedelta
from types import ModuleType

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.utils import timezone
from django.utils.text import slugify

from catalog.importers import RecordError, SourceData
from catalog.models import Dataset, HarvestRun, HarvestSource, Source
from catalog.services.families import catalog_tidy_and_group
from catalog.services.pipeline import datasets_withdraw, records_apply

from .http import HarvestClient
from .protocols import Context, ckan, csvfile, datagovsg, dcat

logger = logging.getLogger(__name__)

PROTOCOLS: dict[str, ModuleType] = {
    HarvestSource.Type.CKAN: ckan,
    HarvestSource.Type.DATAGOVSG: datagovsg,
    HarvestSource.Type.DCAT: dcat,
    HarvestSource.Type.CSV: csvfile,
}
_KIND = {"ckan": Source.Kind.CKAN, "dcat": Source.Kind.DCAT, "datagovsg": Source.Kind.GOVERNMENT}
_LOCK = "catalog:harvest:lock:{}"


@dataclass
class PageCounts:
    """What records_write counts into, for one page."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    superseded: int = 0
    changed_ids: list[int] = field(default_factory=list)


def harvest_source_catalog_source(hs: HarvestSource) -> Source:
    """The catalog Source a harvest source writes to; created (slug from the name) when unset."""
    if hs.source_id:
        return hs.source  # type: ignore[return-value]
    slug = slugify(hs.name)[:64] or f"harvest-{hs.pk}"
    source, _ = Source.objects.get_or_create(
        slug=slug, defaults={"name": hs.name[:200], "homepage": hs.url[:500], "kind": _KIND.get(hs.type, "other")}
    )
    hs.source = source
    HarvestSource.objects.filter(pk=hs.pk).update(source=source)
    return source


def _wants_full(hs: HarvestSource, protocol: ModuleType, full: bool) -> bool:
    if full or not protocol.MODIFIED_SINCE or hs.modified_since is None or hs.last_full_run_at is None:
        return True
    return timezone.now() - hs.last_full_run_at >= timedelta(hours=settings.HARVEST_FULL_EVERY_HOURS)


def harvest_run(*, source_id: int, trigger: str = "manual", full: bool = False) -> HarvestRun | None:
    """Run one harvest of a source now. None when the source is gone or a run of it is under way."""
    hs = HarvestSource.objects.select_related("source").filter(pk=source_id).first()
    if hs is None:
        logger.info("harvest source %s is gone; nothing to run", source_id)
        return None
    lock = _LOCK.format(hs.pk)
    if not cache.add(lock, 1, timeout=settings.HARVEST_SOFT_TIME_LIMIT + 600):
        logger.info("harvest of %s already running; skipped", hs.name)
        return None
    try:
        return _run(hs, trigger=trigger, full=full)
    finally:
        cache.delete(lock)


def _run(hs: HarvestSource, *, trigger: str, full: bool) -> HarvestRun:
    protocol = PROTOCOLS[hs.type]
    catalog_source = harvest_source_catalog_source(hs)
    source_data = SourceData(
        catalog_source.slug, catalog_source.name, catalog_source.homepage, catalog_source.kind, catalog_source.country
    )
    incremental = not _wants_full(hs, protocol, full)
    config = hs.config if isinstance(hs.config, dict) else {}
    run = HarvestRun.objects.create(source=hs, trigger=trigger[:16], incremental=incremental)
    ctx = Context(
        url=hs.url,
        config=config,
        source=source_data,
        modified_since=hs.modified_since if incremental else None,
        etag="" if full else hs.etag,
        last_modified="" if full else hs.last_modified,
    )
    if getattr(protocol, "USES_KNOWN_MODIFIED", False):
        ctx.known_modified = dict(
            Dataset.objects.filter(source=catalog_source)
            .exclude(extra__has_key="withdrawn")  # a withdrawn dataset that is listed again is always rebuilt
            .values_list("external_id", "source_modified_at")
        )
    errors: list[RecordError] = []
    page_failures: list[str] = []
    seen: set[str] = set()
    keep: set[str] = set()  # listed ids, including those of records that failed validation
    unidentified = 0
    try:
        with HarvestClient(allow_cross_host_redirects=bool(config.get("allow_cross_host_redirects"))) as client:
            for page in protocol.pages(client, ctx):
                run.pages += 1
                if page.failed:
                    page_failures.append(f"{page.ref}: {page.failed}")
                    errors.append(RecordError(page.ref, page.failed))
                    run.save(update_fields=["pages"])
                    continue
                errors.extend(page.errors)
                keep.update(page.failed_ids)
                seen.update(page.unchanged_ids)
                run.unchanged += len(page.unchanged_ids)
                unidentified += page.unidentified_failures
                run.failed += len(page.errors)
                records = []
                for record in page.records:
                    if record.external_id in seen:
                        errors.append(RecordError(record.ref, f"listed twice: {record.external_id!r} kept once"))
                        continue
                    seen.add(record.external_id)
                    records.append(replace(record, source=source_data))
                counts = PageCounts()
                try:
                    records_apply(records=records, origin=protocol.ORIGIN, report=counts)
                except DatabaseError as exc:  # the page's transaction rolled back; the run goes on
                    logger.exception("harvest of %s: writing %s failed", hs.name, page.ref)
                    reason = f"not written: {type(exc).__name__}: {str(exc)[:200]}"
                    page_failures.append(f"{page.ref}: {reason}")
                    errors.append(RecordError(page.ref, reason))
                    continue
                run.created += counts.created
                run.updated += counts.updated
                run.unchanged += counts.unchanged
                run.save(update_fields=["pages", "created", "updated", "unchanged", "failed"])
    except Exception as exc:  # the run must end with a report whatever happened
        logger.exception("harvest of %s failed", hs.name)
        page_failures.append(f"run: {type(exc).__name__}: {str(exc)[:300]}")
        errors.append(RecordError("run", f"{type(exc).__name__}: {str(exc)[:300]}"))
        ctx.complete = False
    notes = []
    if ctx.not_modified:
        status = HarvestRun.Status.NOT_MODIFIED
        run.unchanged = catalog_source.datasets.count()
        notes.append("The source answered 304 Not Modified: nothing fetched, nothing changed.")
    elif not page_failures:
        status = HarvestRun.Status.SUCCESS
    elif seen or run.failed:
        status = HarvestRun.Status.PARTIAL
    else:
        status = HarvestRun.Status.FAILED
    keep |= seen
    if status == HarvestRun.Status.SUCCESS and ctx.complete and not incremental:
        if not seen:
            notes.append("The complete listing was empty: nothing withdrawn (check the source).")
        elif unidentified:
            notes.append(f"{unidentified} failed record(s) without an id: nothing withdrawn.")
        else:
            run.withdrawn = datasets_withdraw(
                source_id=catalog_source.pk,
                keep_external_ids=keep,
                reason=f"no longer listed by harvest source {hs.name!r}",
                run_id=run.pk,
            )
    elif not incremental and status != HarvestRun.Status.NOT_MODIFIED:
        notes.append("The listing was not complete: nothing withdrawn.")
    if run.created or run.updated or run.withdrawn:
        # As after a file import: portal-empty titles repaired, junk hidden, families recomputed.
        catalog_tidy_and_group(notify=True)
    keep_errors = settings.HARVEST_MAX_ERRORS_KEPT
    run.errors = [[e.ref, e.reason] for e in errors[:keep_errors]]
    if len(errors) > keep_errors:
        notes.append(f"{len(errors) - keep_errors} more error(s) not kept.")
    run.status = status
    run.notes = " ".join(notes)
    run.finished_at = timezone.now()
    run.save()
    _source_after_run(hs, run, ctx, complete=ctx.complete and status == HarvestRun.Status.SUCCESS)
    logger.info("harvest %s: %s %s", hs.name, status, run.counts())
    return run


def _source_after_run(hs: HarvestSource, run: HarvestRun, ctx: Context, *, complete: bool) -> None:
    hs.last_run_at = run.finished_at
    hs.last_status = run.status
    fields = ["last_run_at", "last_status"]
    if run.status == HarvestRun.Status.SUCCESS:
        # Only a run without failures moves the watermark: a failed page's records come next time.
        if ctx.modified_max is not None and (hs.modified_since is None or ctx.modified_max > hs.modified_since):
            hs.modified_since = ctx.modified_max
        hs.etag, hs.last_modified = ctx.new_etag[:300], ctx.new_last_modified[:100]
        fields += ["modified_since", "etag", "last_modified"]
        if complete and not run.incremental:
            hs.last_full_run_at = run.started_at
            fields.append("last_full_run_at")
    HarvestSource.objects.filter(pk=hs.pk).update(**{f: getattr(hs, f) for f in fields})
