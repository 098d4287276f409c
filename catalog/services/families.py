"""Dataset families (``catalog.families`` rules) stored on the catalog, and the tidy-up that runs first.

``catalog_tidy_and_group`` runs after every import and after the demo catalog loads:

1. titles the portal left empty ("", "None", ...) are repaired from the dataset's portal collection;
2. junk is hidden (set inactive with a ``status_reason`` starting "Hidden:"): test / E2E records of
   any non-research source, records still without a title, and records with neither a description
   nor any link (landing page or distribution URL). Staff still see them (``include_inactive``). A
   curator's own status decision (``extra.curator_status``) is never overridden, and a record the
   rule no longer matches is shown again;
3. families are recomputed over the active datasets: rows with ``family_pinned`` (a curator's split
   or merge) and families marked ``curated`` are left as they are.

Every dataset whose family or visibility changed goes out in ``datasets_changed`` (search re-indexes).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef

from catalog.families import FamilyInput, families_compute, is_empty_title
from catalog.importers.datagovsg import junk_reason
from catalog.models import Dataset, DatasetFamily, Distribution, Source
from catalog.signals import datasets_changed_send

from .bulk import BATCH
from .curation import dataset_refresh_derived

logger = logging.getLogger(__name__)

HIDDEN_PREFIX = "Hidden:"
HIDDEN_NO_TITLE = "Hidden: no title"
HIDDEN_NO_CONTENT = "Hidden: neither a description nor a link"
HIDDEN_TEST = "Hidden: test record"


@dataclass
class FamilyReport:
    families: int = 0
    grouped: int = 0  # datasets in a family
    changed_ids: list[int] = field(default_factory=list)
    titles_repaired: int = 0
    hidden: int = 0
    shown: int = 0


def _hide_reason(d: dict, *, has_link: bool) -> str:
    if is_empty_title(d["title"]):
        return HIDDEN_NO_TITLE
    if d["source__kind"] != Source.Kind.RESEARCH and junk_reason(name=d["title"]).startswith("Junk rule: test"):
        return HIDDEN_TEST
    if not (d["description"] or "").strip() and not d["landing_url"] and not has_link:
        return HIDDEN_NO_CONTENT
    return ""


def catalog_tidy(*, dataset_ids: Iterable[int] | None = None) -> FamilyReport:
    """Steps 1–2 of the module docstring; the caller holds the transaction."""
    report = FamilyReport()
    base = Dataset.objects.all()
    if dataset_ids is not None:
        base = base.filter(pk__in=list(dataset_ids))
    rows = base.annotate(has_link=Exists(Distribution.objects.filter(dataset=OuterRef("pk")).exclude(url=""))).values(
        "id", "title", "description", "landing_url", "status", "status_reason", "extra", "source__kind", "has_link"
    )
    repaired: list[Dataset] = []
    status_rows: list[Dataset] = []
    for row in rows.iterator(chunk_size=BATCH):
        d: dict[str, Any] = dict(row)
        extra = d["extra"] or {}
        title = d["title"]
        collection = (extra.get("collection") or {}) if isinstance(extra, dict) else {}
        collection_name = str(collection.get("name") or "").strip() if isinstance(collection, dict) else ""
        if is_empty_title(title) and collection_name and not is_empty_title(collection_name):
            extra = {**extra, "title_source": "collection", "portal_title": title}
            title = collection_name[:500]
            repaired.append(Dataset(pk=d["id"], title=title, extra=extra))
            d = {**d, "title": title, "extra": extra}
        if extra.get("curator_status"):
            continue
        reason = _hide_reason(d, has_link=d["has_link"])
        if reason and d["status"] == Dataset.Status.ACTIVE:
            status_rows.append(Dataset(pk=d["id"], status=Dataset.Status.INACTIVE, status_reason=reason))
            report.hidden += 1
        elif not reason and d["status"] != Dataset.Status.ACTIVE and d["status_reason"].startswith(HIDDEN_PREFIX):
            status_rows.append(Dataset(pk=d["id"], status=Dataset.Status.ACTIVE, status_reason=""))
            report.shown += 1
    if repaired:
        Dataset.objects.bulk_update(repaired, ["title", "extra"], batch_size=BATCH)
        dataset_refresh_derived(dataset_ids=[d.pk for d in repaired])  # content hash and quality follow the title
    if status_rows:
        Dataset.objects.bulk_update(status_rows, ["status", "status_reason"], batch_size=BATCH)
        report.changed_ids.extend(d.pk for d in status_rows)
    report.titles_repaired = len(repaired)
    return report


def _inputs() -> list[FamilyInput]:
    rows = (
        Dataset.objects.filter(status=Dataset.Status.ACTIVE, family_pinned=False)
        .values(
            "id", "title", "source__slug", "source__kind", "publisher__name", "extra", "temporal_start", "temporal_end"
        )
        .order_by("pk")
    )
    out = []
    for r in rows.iterator(chunk_size=BATCH):
        extra: dict = r["extra"] if isinstance(r["extra"], dict) else {}
        coll: dict = extra["collection"] if isinstance(extra.get("collection"), dict) else {}
        out.append(
            FamilyInput(
                id=r["id"],
                title=r["title"],
                source=r["source__slug"],
                publisher=r["publisher__name"] or "",
                collection=str(coll.get("id") or ""),
                collection_name=str(coll.get("name") or ""),
                start=r["temporal_start"],
                end=r["temporal_end"],
                research=r["source__kind"] == Source.Kind.RESEARCH,
            )
        )
    return out


def family_recompute() -> FamilyReport:
    """Step 3 of the module docstring: store the computed families; the caller holds the transaction."""
    report = FamilyReport()
    groups = families_compute(_inputs())
    keys = [g.key[:600] for g in groups]
    existing = {f.key: f for f in DatasetFamily.objects.filter(key__in=keys)}
    DatasetFamily.objects.bulk_create(
        [
            DatasetFamily(key=g.key[:600], kind=g.kind, title=g.title[:500])
            for g in groups
            if g.key[:600] not in existing
        ],
        batch_size=BATCH,
    )
    existing = {f.key: f for f in DatasetFamily.objects.filter(key__in=keys)}
    wanted: dict[int, int] = {}  # dataset id -> family id
    for g in groups:
        fam = existing[g.key[:600]]
        if not fam.curated and (fam.kind, fam.title) != (g.kind, g.title[:500]):
            fam.kind, fam.title = g.kind, g.title[:500]
            fam.save(update_fields=["kind", "title", "updated_at"])
        if fam.curated:
            continue  # a curator's family keeps its own members
        for m in g.members:
            wanted[m] = fam.pk
    current = dict(
        Dataset.objects.filter(family_pinned=False)
        .exclude(family__curated=True)
        .filter(family__isnull=False)
        .values_list("id", "family_id")
    )
    updates = [Dataset(pk=pk, family_id=fid) for pk, fid in wanted.items() if current.get(pk) != fid]
    updates += [Dataset(pk=pk, family_id=None) for pk in current if pk not in wanted]
    Dataset.objects.bulk_update(updates, ["family"], batch_size=BATCH)
    DatasetFamily.objects.filter(curated=False, members__isnull=True).delete()
    report.changed_ids = [d.pk for d in updates]
    report.families = len(set(wanted.values()))
    report.grouped = len(wanted)
    return report


def catalog_tidy_and_group(*, notify: bool = True) -> FamilyReport:
    """Repair titles, hide junk, then recompute families (see the module docstring)."""
    with transaction.atomic():
        tidy = catalog_tidy()
        report = family_recompute()
        report.titles_repaired, report.hidden, report.shown = tidy.titles_repaired, tidy.hidden, tidy.shown
        changed = sorted(set(report.changed_ids) | set(tidy.changed_ids))
        report.changed_ids = changed
        if changed and notify:
            datasets_changed_send(dataset_ids=changed)
    logger.info(
        "families: %s families over %s datasets, %s changed; %s titles repaired, %s hidden, %s shown again",
        report.families,
        report.grouped,
        len(report.changed_ids),
        report.titles_repaired,
        report.hidden,
        report.shown,
    )
    return report


# ---- curator operations (the admin) ------------------------------------------------------------


def family_split(*, dataset_ids: Iterable[int]) -> int:
    """Take datasets out of their family for good (pinned); a family left with one member is dissolved.
    Returns how many datasets changed."""
    with transaction.atomic():
        rows = list(Dataset.objects.select_for_update().filter(pk__in=list(dataset_ids), family__isnull=False))
        families = {d.family_id for d in rows if d.family_id is not None}
        Dataset.objects.filter(pk__in=[d.pk for d in rows]).update(family=None, family_pinned=True)
        changed = [d.pk for d in rows]
        for fam in DatasetFamily.objects.filter(pk__in=families):
            members = list(fam.members.values_list("pk", flat=True))
            if len(members) <= 1:
                Dataset.objects.filter(pk__in=members).update(family=None, family_pinned=True)
                changed += members
                fam.delete()
            else:
                DatasetFamily.objects.filter(pk=fam.pk).update(curated=True)
        if changed:
            datasets_changed_send(dataset_ids=changed)
    return len(rows)


def family_merge(*, dataset_ids: Iterable[int], kind: str | None = None, title: str = "") -> DatasetFamily:
    """Put datasets into one family (the first existing family among them, else a new one), pinned and
    marked curated. Raises ValueError for fewer than two datasets or an unknown kind."""
    ids = sorted(set(dataset_ids))
    if len(ids) < 2:
        raise ValueError("choose at least two datasets to merge")
    if kind is not None and kind not in DatasetFamily.Kind.values:
        raise ValueError(f"unknown family kind {kind!r}")
    with transaction.atomic():
        rows = list(Dataset.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        if len(rows) < 2:
            raise ValueError("choose at least two datasets to merge")
        fam = next((d.family for d in rows if d.family_id), None)
        if fam is None:
            fam = DatasetFamily.objects.create(
                key=f"curated|{rows[0].pk}",
                kind=kind or DatasetFamily.Kind.VARIANTS,
                title=(title or rows[0].title)[:500],
                curated=True,
            )
        else:
            fam.curated = True
            fam.kind = kind or fam.kind
            fam.title = (title or fam.title)[:500]
            fam.save()
        old = {d.family_id for d in rows if d.family_id and d.family_id != fam.pk}
        Dataset.objects.filter(pk__in=ids).update(family=fam, family_pinned=True)
        # Members of the old families come along (a merge of two families is one family).
        moved = list(Dataset.objects.filter(family_id__in=old).values_list("pk", flat=True))
        Dataset.objects.filter(pk__in=moved).update(family=fam, family_pinned=True)
        DatasetFamily.objects.filter(pk__in=old).delete()
        datasets_changed_send(dataset_ids=sorted(set(ids) | set(moved)))
    return fam
