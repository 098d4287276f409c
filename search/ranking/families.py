"""Collapsing a ranking by dataset family (pure functions over index arrays, no Django).

A family scores as its best member; the best member represents it, except in a period series, where
the member that fits the query's time leads (``catalog.families.lead_by_years``) with the family's
score. ``bench/search_quality.py`` measures this same code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from catalog.families import lead_by_years

_SINCE_RE = re.compile(
    r"\b(since|from|after|starting|onwards? from)\s+(?:(?:the\s+)?year\s+)?(19[5-9]\d|20[0-4]\d)\b", re.I
)
_UNTIL_RE = re.compile(r"\b(before|until|till|up to|prior to)\s+(19[5-9]\d|20[0-4]\d)\b", re.I)


@dataclass(frozen=True)
class QueryTime:
    """What a query says about time, for choosing a series' lead."""

    years: tuple[int, ...] = ()
    year_from: int | None = None
    year_to: int | None = None


def query_time(query: str, *, years: tuple[int, ...] = (), filters: dict | None = None) -> QueryTime:
    """The query's time: the year filters if set, else "since 2017" / "before 2000" in its text, else
    the years it names (``QueryIntent.years``)."""
    filters = filters or {}
    if filters.get("year_from") is not None or filters.get("year_to") is not None:
        return QueryTime(year_from=filters.get("year_from"), year_to=filters.get("year_to"))
    since, until = _SINCE_RE.search(query or ""), _UNTIL_RE.search(query or "")
    if since or until:
        year_from = int(since.group(2)) + (1 if since and since.group(1).lower() == "after" else 0) if since else None
        year_to = (
            int(until.group(2)) - (1 if until and until.group(1).lower() in {"before", "prior to"} else 0)
            if until
            else None
        )
        return QueryTime(year_from=year_from, year_to=year_to)
    return QueryTime(years=tuple(years))


def family_positions(family: np.ndarray) -> dict[int, np.ndarray]:
    """Family id -> the index positions of its members (families of two or more only)."""
    grouped = np.flatnonzero(family > 0)
    if not len(grouped):
        return {}
    order = grouped[np.argsort(family[grouped], kind="stable")]
    ids, starts = np.unique(family[order], return_index=True)
    return {int(f): part for f, part in zip(ids.tolist(), np.split(order, starts[1:]), strict=True)}


def collapse(
    order: dict[int, float],
    family: np.ndarray,
    *,
    series: np.ndarray | None = None,
    members: dict[int, np.ndarray] | None = None,
    mask: np.ndarray | None = None,
    year_start: np.ndarray | None = None,
    year_end: np.ndarray | None = None,
    when: QueryTime = QueryTime(),
    stand_ins: dict[int, int] | None = None,
) -> dict[int, float]:
    """One entry per family: its best member's score, at the best member's position (variants) or at
    the series member that fits ``when`` among those ``mask`` allows (series). Positions without a
    family (``family <= 0``) pass through. ``stand_ins`` (if given) receives series lead -> best member."""
    if not order:
        return {}
    positions = np.fromiter(order.keys(), dtype=np.int64, count=len(order))
    fams = family[positions]
    if not (fams > 0).any():
        return dict(order)
    out: dict[int, float] = {}
    best: dict[int, tuple[float, int]] = {}
    for pos, fam in zip(positions.tolist(), fams.tolist(), strict=True):
        score = order[pos]
        if fam <= 0:
            out[pos] = score
            continue
        current = best.get(fam)
        if current is None or score > current[0] or (score == current[0] and pos < current[1]):
            best[fam] = (score, pos)
    for fam, (score, pos) in best.items():
        if series is not None and members is not None and series[pos] and fam in members:
            lead = series_lead_position(
                members[fam], mask=mask, year_start=year_start, year_end=year_end, when=when, default=pos
            )
            if lead != pos and stand_ins is not None:
                stand_ins[lead] = pos
            pos = lead
        out[pos] = score
    return out


def series_lead_position(
    positions: np.ndarray,
    *,
    mask: np.ndarray | None,
    year_start: np.ndarray | None,
    year_end: np.ndarray | None,
    when: QueryTime,
    default: int,
) -> int:
    allowed = positions[mask[positions]] if mask is not None else positions
    if not len(allowed) or year_start is None or year_end is None:
        return default
    spans = [
        (p, int(year_start[p]) if year_start[p] >= 0 else None, int(year_end[p]) if year_end[p] >= 0 else None)
        for p in allowed.tolist()
    ]
    lead = lead_by_years(spans, years=when.years, year_from=when.year_from, year_to=when.year_to)
    return int(lead) if lead is not None else default
