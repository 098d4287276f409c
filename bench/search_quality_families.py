"""Dataset families in bench/search_quality.py: the corpus's families, collapsing, family-once scoring
and the repeated-dataset pairs count.

Families come from the same rules the catalog stores (``catalog.families.families_compute``) over the
bench corpus's records; rankings are collapsed by the service's own function
(``search.ranking.families.collapse``).

**Scoring with families (a family counts once).** Each judged query's qrels are reduced to one
judgment per family: the family's best-graded member keeps its grade, the other members' judgments
are dropped (so the ideal ranking holds each family once). A ranking is mapped family by family: the
first result of a family becomes that family's best-graded judged member for this query (the family
is the hit for that dataset), or stays itself when no member is judged; any later result of the same
family is a repeat and scores 0 (it keeps its slot). Both the "no families" and the collapsed rankings
are scored this way, so the numbers compare like with like.

**Repeated-dataset pairs.** Over a query's top 10, the number of pairs of results that are one
dataset for a user: the same format-free title (``catalog.families.format_free_title``: case,
spacing and format words like "(KML)" ignored) from the same publisher (or, without one, the same
source), or members of the same computed family. Summed over the query set.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from catalog.families import SERIES, FamilyInput, families_compute, format_free_title, owner_key, period_key
from search.ranking.families import QueryTime, collapse, family_positions

TOP = 10


@dataclass
class CorpusFamilies:
    """Families of one bench corpus, as index-style arrays (position = doc index)."""

    family: np.ndarray  # family code per doc, 0 = none
    series: np.ndarray  # bool
    period_start: np.ndarray  # int16, -1 unknown
    period_end: np.ndarray
    identity: list[tuple]  # (owner, format-free title) per doc, for the repeated-pairs count
    members: dict[int, np.ndarray] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.members)


def corpus_families(items: list[FamilyInput], *, active: np.ndarray | None = None) -> CorpusFamilies:
    """Families among ``items`` (doc order) as the catalog computes them over its active datasets."""
    n = len(items)
    pos = {it.id: i for i, it in enumerate(items)}
    family = np.zeros(n, dtype=np.int64)
    series = np.zeros(n, dtype=bool)
    start = np.full(n, -1, dtype=np.int16)
    end = np.full(n, -1, dtype=np.int16)
    chosen = [it for i, it in enumerate(items) if active is None or active[i]]
    for code, group in enumerate(families_compute(chosen), start=1):
        for m in group.members:
            i = pos[m]
            family[i] = code
            if group.kind == SERIES:
                series[i] = True
                lo, hi, _, _ = period_key(items[i])
                start[i] = _year(lo)
                end[i] = min(_year(hi), 9999) if hi else -1
    identity = [(owner_key(it), format_free_title(it.title)) for it in items]
    return CorpusFamilies(family, series, start, end, identity, family_positions(family))


def _year(ordinal: int) -> int:
    from datetime import date

    return date.fromordinal(ordinal).year if ordinal else -1


def collapse_order(
    order: dict[int, float], fam: CorpusFamilies, *, query_years=(), query: str = ""
) -> dict[int, float]:
    """The service's collapse over a bench ranking (every document allowed)."""
    from search.ranking.families import query_time

    when = query_time(query, years=tuple(query_years)) if query else QueryTime(years=tuple(query_years))
    return collapse(
        order,
        fam.family,
        series=fam.series,
        members=fam.members,
        year_start=fam.period_start,
        year_end=fam.period_end,
        when=when,
    )


def family_qrels(
    qrels: dict[str, dict[str, float]], ids: list[str], fam: CorpusFamilies
) -> dict[str, dict[str, float]]:
    """Qrels with one judgment per family (its best-graded member's); see the module docstring."""
    pos = {d: i for i, d in enumerate(ids)}
    out: dict[str, dict[str, float]] = {}
    for qid, judged in qrels.items():
        best: dict[int, tuple[float, str]] = {}
        kept: dict[str, float] = {}
        for doc, grade in judged.items():
            f = int(fam.family[pos[doc]]) if doc in pos else 0
            if f <= 0:
                kept[doc] = grade
            elif f not in best or grade > best[f][0]:
                best[f] = (grade, doc)
        kept.update({doc: grade for grade, doc in best.values()})
        out[qid] = kept
    return out


def family_ranking(
    ranking: list[str], judged: dict[str, float], ids_pos: dict[str, int], fam: CorpusFamilies
) -> list[str]:
    """A ranking of dataset ids mapped for family-once scoring (see the module docstring)."""
    seen: set[int] = set()
    out = []
    for n, doc in enumerate(ranking):
        f = int(fam.family[ids_pos[doc]]) if doc in ids_pos else 0
        if f <= 0:
            out.append(doc)
            continue
        if f in seen:
            out.append(f"\x00repeat-{n}")  # a repeat of a family already shown: keeps its slot, scores 0
            continue
        seen.add(f)
        members = [m for m in (fam_ids(fam, f, ids_pos)) if m in judged]
        out.append(max(members, key=lambda m: (judged[m], m == doc)) if members else doc)
    return out


def fam_ids(fam: CorpusFamilies, f: int, ids_pos: dict[str, int]) -> list[str]:
    names = _names_cache.get(id(ids_pos))
    if names is None:
        names = _names_cache[id(ids_pos)] = {i: d for d, i in ids_pos.items()}
    return [names[int(p)] for p in fam.members.get(f, [])]


_names_cache: dict[int, dict[int, str]] = {}


def repeated_pairs(ranking: list[str], ids_pos: dict[str, int], fam: CorpusFamilies, *, top: int = TOP) -> int:
    """Pairs in the top ``top`` that are one dataset for a user (see the module docstring)."""
    docs = [ids_pos[d] for d in ranking[:top] if d in ids_pos]
    pairs = 0
    for a_i, a in enumerate(docs):
        for b in docs[a_i + 1 :]:
            same_family = fam.family[a] > 0 and fam.family[a] == fam.family[b]
            if same_family or (fam.identity[a][1] and fam.identity[a] == fam.identity[b]):
                pairs += 1
    return pairs
