"""What a search returns: hits built from the database rows, facets, and the response."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import date

from django.conf import settings

from catalog.families import FamilyInput, period_key, period_years
from catalog.models import Dataset, DatasetFamily, is_staff
from search.index.documents import doc_fields, index_doc_from_dataset
from search.index.loaded import SearchIndex
from search.ranking.documents import clean_description
from search.ranking.explanations import explain
from search.ranking.intent import QueryIntent
from search.text import content_words

SNIPPET_CHARS = 240


@dataclass
class SearchHit:
    id: int
    source: str
    source_name: str
    external_id: str
    title: str
    snippet: str
    publisher: str
    formats: list[str]
    themes: list[str]
    url: str
    score: float
    why: list[str]
    temporal_start: str | None = None
    temporal_end: str | None = None
    link_status: str = "unknown"
    link_checked_at: str | None = None  # ISO time of the last link check (None: never)
    quality_score: float = 0.0
    # The dataset family this hit stands for ({"id", "kind": "variants"|"series", "title", "size"}), or None;
    # ``members`` are all its visible members (this hit included, marked "lead"), series in time order.
    family: dict | None = None
    members: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        # Shallow, field by field (``dataclasses.asdict`` deep-copies every nested value: ~1 ms a hit).
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["formats"], data["themes"], data["why"] = list(self.formats), list(self.themes), list(self.why)
        data["family"] = dict(self.family) if self.family is not None else None
        data["members"] = [dict(m) for m in self.members]
        return data


def scores_are_weak(scores: Iterable[float]) -> bool:
    """Nothing good: no results, or even the best scores below ASSISTANT_WEAK_SCORE (the one threshold the
    search page and the assistant use to say so)."""
    values = [float(s or 0.0) for s in scores]
    return not values or max(values) < settings.ASSISTANT_WEAK_SCORE


@dataclass
class SearchResponse:
    results: list[SearchHit]
    facets: dict[str, list[dict]]
    total: int
    page: int
    took_ms: float
    cached: bool
    query: str
    filters: dict
    top_k: int = 10
    sort: str = "relevance"
    index_version: int = 0
    pages: int = field(default=0)

    @property
    def weak(self) -> bool:
        """No result matches well (see ``scores_are_weak``)."""
        return scores_are_weak(h.score for h in self.results)

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "filters": self.filters,
            "results": [h.to_dict() for h in self.results],
            "facets": self.facets,
            "total": self.total,
            "page": self.page,
            "pages": self.pages,
            "top_k": self.top_k,
            "sort": self.sort,
            "took_ms": self.took_ms,
            "cached": self.cached,
            "index_version": self.index_version,
        }

    @classmethod
    def from_dict(cls, data: dict, *, took_ms: float, cached: bool) -> SearchResponse:
        return cls(
            results=[SearchHit(**h) for h in data["results"]],
            facets=data["facets"],
            total=data["total"],
            page=data["page"],
            pages=data.get("pages", 0),
            top_k=data["top_k"],
            sort=data["sort"],
            query=data["query"],
            filters=data["filters"],
            index_version=data["index_version"],
            took_ms=took_ms,
            cached=cached,
        )


def snippet(description: str, query: str) -> str:
    text = clean_description(description or "")
    if len(text) <= SNIPPET_CHARS:
        return text
    lowered = text.lower()
    start = 0
    for word in content_words(query):
        pos = lowered.find(word)
        if pos >= 0:
            start = max(0, pos - SNIPPET_CHARS // 3)
            break
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    piece = text[start : start + SNIPPET_CHARS]
    cut = piece.rfind(" ")
    if start + SNIPPET_CHARS < len(text) and cut > SNIPPET_CHARS // 2:
        piece = piece[:cut]
    return ("… " if start else "") + piece.strip() + ("…" if start + len(piece) < len(text) else "")


def hits_for(
    index: SearchIndex,
    positions: list[int],
    scores: dict[int, float],
    *,
    query: str,
    lexical: dict[int, float],
    neural: dict[int, float],
    intent: QueryIntent | None,
    user,
    why: Callable[[int, Dataset], list[str]] | None = None,
) -> list[SearchHit]:
    """SearchHits for index positions, in order, from the database rows (skipping rows gone or hidden)."""
    ids = [int(index.ids[p]) for p in positions]
    qs = Dataset.objects.filter(pk__in=ids).select_related("source", "publisher").prefetch_related("tags")
    if not is_staff(user):
        qs = qs.filter(status=Dataset.Status.ACTIVE)
    rows = {d.pk: d for d in qs}
    families = family_members_for([d for d in rows.values() if d.family_id], user=user)
    hits = []
    for pos, ds_id in zip(positions, ids, strict=True):
        d = rows.get(ds_id)
        if d is None:
            continue
        publisher = d.publisher.name if d.publisher else ""
        if why is not None:
            reasons = why(pos, d)
        else:
            reasons = explain(
                query=query,
                doc=doc_fields(index_doc_from_dataset(d)),
                lexical=lexical.get(pos),
                neural=neural.get(pos),
                intent=intent,
                is_singapore=bool(index.singapore[pos]),
                quality=d.quality_score,
                link_broken=d.link_is_broken,
                popularity=float(index.popularity[pos]) if index.popularity is not None else None,
                columns=index.column_names(pos),
            )
        hits.append(
            SearchHit(
                id=d.pk,
                source=d.source.slug,
                source_name=d.source.name,
                external_id=d.external_id,
                title=d.title,
                snippet=snippet(d.description, query),
                publisher=publisher,
                formats=list(d.formats or []),
                themes=list(d.themes or []),
                url=d.source_page_url,
                score=round(float(scores[pos]), 4),
                why=reasons,
                temporal_start=d.temporal_start.isoformat() if d.temporal_start else None,
                temporal_end=d.temporal_end.isoformat() if d.temporal_end else None,
                link_status=d.link_status,
                link_checked_at=d.link_checked_at.isoformat() if d.link_checked_at else None,
                quality_score=round(float(d.quality_score), 3),
            )
        )
        family = families.get(d.family_id) if d.family_id else None
        if family is not None:
            _family_attach(hits[-1], family)
    return hits


@dataclass
class FamilyInfo:
    pk: int
    kind: str
    title: str


@dataclass
class FamilyMember:
    """One visible member of a family, read with ``values()`` (no model instances: this runs per page)."""

    pk: int
    title: str
    formats: list
    landing_url: str
    temporal_start: date | None
    temporal_end: date | None
    distributions: list[dict] = field(default_factory=list)


def family_members_for(datasets: list, *, user) -> dict[int, tuple[FamilyInfo, list[FamilyMember]]]:
    """The families of ``datasets`` (rows with ``family_id``) with their visible members and their
    distributions, a series in time order; one query whatever the page holds."""
    family_ids = {d.family_id for d in datasets if d.family_id}
    if not family_ids:
        return {}
    qs = Dataset.objects.filter(family_id__in=family_ids)
    if not is_staff(user):
        qs = qs.filter(status=Dataset.Status.ACTIVE)
    # One query: the members LEFT JOIN their distributions (a row per distribution, one for none).
    rows = qs.order_by("pk", "distributions__pk").values_list(
        "pk",
        "title",
        "formats",
        "landing_url",
        "temporal_start",
        "temporal_end",
        "family_id",
        "family__kind",
        "family__title",
        "distributions__format",
        "distributions__url",
        "distributions__title",
    )
    members: dict[int, FamilyMember] = {}
    out: dict[int, tuple[FamilyInfo, list[FamilyMember]]] = {}
    for pk, title, formats, url, start, end, fid, kind, ftitle, d_format, d_url, d_title in rows:
        member = members.get(pk)
        if member is None:
            member = members[pk] = FamilyMember(pk, title, list(formats or []), url, start, end)
            out.setdefault(fid, (FamilyInfo(fid, kind, ftitle), []))[1].append(member)
        if d_format is not None or d_url is not None:
            member.distributions.append({"format": d_format or "", "url": d_url or "", "title": d_title or ""})
    for family, group in out.values():
        if family.kind == DatasetFamily.Kind.SERIES:
            group.sort(key=lambda m: (period_key(_family_input(m)), m.pk))
        else:
            group.sort(key=lambda m: (m.title.lower(), m.pk))
    return out


def _family_input(d: FamilyMember) -> FamilyInput:
    return FamilyInput(id=d.pk, title=d.title, start=d.temporal_start, end=d.temporal_end)


def _period_label(d: FamilyMember) -> str:
    start, end = d.temporal_start, d.temporal_end
    if start and end:
        return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
    years = period_years(d.title)
    if years:
        return str(years[0]) if years[0] == years[-1] else f"{years[0]}–{years[-1]}"
    return f"from {start.year}" if start else (f"until {end.year}" if end else "")


def family_member_dicts(members: list[FamilyMember], *, lead: int) -> list[dict]:
    """Family members as the API shows them (``lead`` marks the one at hand)."""
    return [
        {
            "id": m.pk,
            "title": m.title,
            "formats": list(m.formats or []),
            "url": m.landing_url,
            "temporal_start": m.temporal_start.isoformat() if m.temporal_start else None,
            "temporal_end": m.temporal_end.isoformat() if m.temporal_end else None,
            "period": _period_label(m),
            "lead": m.pk == lead,
            "distributions": list(m.distributions),
        }
        for m in members
    ]


def _family_attach(hit: SearchHit, family: tuple[FamilyInfo, list[FamilyMember]]) -> None:
    fam, members = family
    if len(members) < 2:
        return  # the others are hidden from this user: the hit stands alone
    hit.family = {"id": fam.pk, "kind": fam.kind, "title": fam.title, "size": len(members)}
    hit.members = family_member_dicts(members, lead=hit.id)
    # A grouped result carries every member's formats.
    hit.formats = list(dict.fromkeys([*hit.formats, *(f for m in members for f in (m.formats or []))]))
