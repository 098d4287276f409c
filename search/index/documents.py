"""What the index stores about a dataset (``IndexDoc``) and the fields and text ranking reads from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from catalog.columns import column_key
from catalog.families import FamilyInput, period_key
from search.ranking.documents import DocFields
from search.ranking.documents import document_text as fields_text
from search.ranking.rescoring import freshness_from_age

SINGAPORE_WORDS = ("singapore",)


@dataclass
class IndexDoc:
    """What the index stores about one dataset (built from a Dataset row or synthesised by the bench)."""

    id: int
    source_slug: str
    source_name: str
    source_country: str
    publisher_slug: str
    publisher_name: str
    title: str
    description: str
    tags: list[str]
    formats: list[str]
    themes: list[str]
    geography: str
    year_start: int | None
    year_end: int | None
    active: bool
    quality: float
    link_broken: bool
    modified: datetime | None
    source_titles: list[str] = field(default_factory=list)  # e.g. the paper that introduced a dataset
    family: int = 0  # DatasetFamily id, 0 = stands alone
    family_series: bool = False  # the family is a period series
    period_start: int | None = None  # a series member's years (coverage, else the years its title names)
    period_end: int | None = None
    family_formats: list[str] = field(default_factory=list)  # every member's formats (facets and format filters)
    columns: list[str] = field(default_factory=list)  # column names (previews, portal metadata)
    licence: str = ""  # the licence id (SPDX or LicenseRef-*), "" when not known
    tasks: list[str] = field(default_factory=list)  # research datasets' task and modality labels
    modalities: list[str] = field(default_factory=list)
    source_kind: str = ""  # Source.kind ("research": titles are names, not summaries)

    @property
    def is_singapore(self) -> bool:
        text = f"{self.source_country} {self.geography}".lower()
        return any(word in text for word in SINGAPORE_WORDS)


def freshness_of(modified: datetime | None, *, now: datetime | None = None) -> float:
    """The ranking's freshness (1 = modified today, decaying with age, 0 when unknown)."""
    if modified is None:
        return freshness_from_age(None)
    now = now or datetime.now(UTC)
    return freshness_from_age((now - modified).total_seconds() / 86400)


def doc_fields(doc: IndexDoc) -> DocFields:
    """The fields the ranking's lexical index and document text are built from."""
    extra = [*doc.themes]
    if doc.geography:
        extra.append(doc.geography)
    return DocFields(
        title=doc.title,
        description=doc.description,
        tags=list(doc.tags),
        publisher=doc.publisher_name,
        formats=list(doc.formats),
        extra_names=extra,
        source_titles=list(doc.source_titles),
        column_names=list(doc.columns),
        columns=[column_key(c) for c in doc.columns],
    )


def document_text(doc: IndexDoc) -> str:
    """The text embedded for an indexed dataset."""
    return fields_text(doc_fields(doc))


def index_doc_from_dataset(dataset) -> IndexDoc:
    """An IndexDoc for a Dataset loaded with select_related(source, publisher) and prefetched tags."""
    publisher = dataset.publisher
    return IndexDoc(
        id=dataset.pk,
        source_slug=dataset.source.slug,
        source_name=dataset.source.name,
        source_country=dataset.source.country or "",
        publisher_slug=publisher.slug if publisher else "",
        publisher_name=publisher.name if publisher else "",
        title=dataset.title,
        description=dataset.description or "",
        tags=[t.name for t in dataset.tags.all()],
        formats=[str(f).upper() for f in (dataset.formats or []) if f],
        themes=[str(t) for t in (dataset.themes or []) if t],
        geography=dataset.geographic_coverage or "",
        year_start=dataset.temporal_start.year if dataset.temporal_start else None,
        year_end=dataset.temporal_end.year if dataset.temporal_end else None,
        active=dataset.status == dataset.Status.ACTIVE,
        quality=float(dataset.quality_score or 0.0),
        link_broken=dataset.link_is_broken,
        modified=dataset.source_modified_at,
        source_titles=_source_titles(dataset.extra),
        family=dataset.family_id or 0,
        licence=dataset.license_id or "",
        tasks=[str(t) for t in (dataset.tasks or []) if t],
        modalities=[str(m) for m in (dataset.modalities or []) if m],
        source_kind=dataset.source.kind or "",
    )


def family_fields_fill(docs: list[IndexDoc], *, series_ids: set[int]) -> None:
    """Per-family fields of the documents: the union of the members' formats, and a series member's
    period (its coverage years, else the years its title names; "... onwards" runs to the latest)."""
    by_family: dict[int, list[IndexDoc]] = {}
    for d in docs:
        if d.family:
            by_family.setdefault(d.family, []).append(d)
    for fam, members in by_family.items():
        formats = list(dict.fromkeys(f for m in members for f in m.formats))
        for m in members:
            m.family_formats = formats
            if fam in series_ids:
                m.family_series = True
                start, end, _, _ = period_key(
                    FamilyInput(
                        id=m.id,
                        title=m.title,
                        start=date(m.year_start, 1, 1) if m.year_start else None,
                        end=date(m.year_end, 12, 31) if m.year_end else None,
                    )
                )
                m.period_start = date.fromordinal(start).year if start else None
                m.period_end = min(date.fromordinal(end).year, 9999) if end else None


def _source_titles(extra) -> list[str]:
    title = (extra or {}).get("source_paper_title") if isinstance(extra, dict) else None
    return [str(title).strip()] if title and str(title).strip() else []
