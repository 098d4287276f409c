"""Dataset families, as pure functions over plain records (no Django): which datasets are one.

Two kinds:

* **variants** — copies and format variants of one dataset: the same publisher (or, without one, the
  same source) and the same title once format words ("(KML)", "- SHP", "GeoJSON"), case, accents,
  punctuation and spacing are ignored; or two members of one portal collection whose titles differ
  only by format words. One result carrying every member's distributions.
* **series** — one dataset published in pieces split by period: members of one portal collection
  (or, outside a collection, of one publisher with the same title once the period is removed) whose
  titles carry distinct period ranges ("1990 - 1999", "2000 - Feb 2012", "from Jan-2017 onwards"),
  and in a collection, titles alike once the period is removed (word overlap >= 0.7). Members are
  ordered in time. Variant groups inside a series stay together as one member period. Research
  datasets never form series: a year in their name is an edition ("WMT 2014", "CoNLL-2003").

``families_compute`` is what ``catalog.services.families`` stores and ``bench/search_quality.py``
measures; ``series_lead`` picks the member of a series that fits a query's time.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

VARIANTS = "variants"
SERIES = "series"

FORMAT_WORDS = (
    "csv|tsv|xlsx?|xlsm|ods|kml|kmz|shp|shapefile|geojson|json|xml|api|pdf|zip|txt|gpkg|geopackage|wms|wfs|parquet"
)
# A format word standing apart: in brackets, after a dash at the end, or as a trailing word.
_FORMAT_RE = re.compile(
    rf"\(\s*(?:{FORMAT_WORDS})(?:\s*(?:/|,|and|&)\s*(?:{FORMAT_WORDS}))*\s*\)"
    rf"|\[\s*(?:{FORMAT_WORDS})\s*\]"
    rf"|\s[-–|:]\s*(?:{FORMAT_WORDS})\s*$"
    rf"|\s(?:in\s+)?(?:{FORMAT_WORDS})(?:\s+(?:format|file|version))?\s*$",
    re.I,
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_WHEN = rf"(?:{_MONTH}[\s\-./]*)?{_YEAR}"
# One period expression: "2000 - Feb 2012", "from Mar 2012 to Dec 2014", "Jan-2017 onwards", "2015".
_PERIOD_RE = re.compile(
    rf"(?:\b(?:from|since|between)\s+)?\b{_WHEN}\b"
    rf"(?:\s*(?:-|–|—|to|and|until)\s*\b{_WHEN}\b)?"
    rf"(?:\s*(?:onwards?|to\s+date|to\s+present|till\s+date))?",
    re.I,
)
_YEAR_RE = re.compile(rf"\b({_YEAR})\b")
_ONWARDS_RE = re.compile(r"\b(onwards?|to date|to present|till date|since)\b", re.I)
_NOISE_RE = re.compile(r"[^a-z0-9+]+")  # "+" kept: "DailyDialog++" is another dataset than "DailyDialog"
_EMPTY_TITLES = frozenset({"", "none", "null", "nan", "n/a", "na", "untitled", "-"})


@dataclass(frozen=True)
class FamilyInput:
    """What grouping reads of one dataset."""

    id: Hashable
    title: str
    source: str = ""
    publisher: str = ""
    collection: str = ""  # the portal collection's id, "" when none
    collection_name: str = ""
    start: date | None = None
    end: date | None = None
    research: bool = False  # a research dataset: a year in its name is an edition ("WMT 2014"), not a period


@dataclass
class FamilyGroup:
    kind: str  # VARIANTS or SERIES
    key: str  # stable across recomputations of the same data
    title: str
    members: list = field(default_factory=list)  # ids; series in time order (oldest first)


def _fold(text: str) -> str:
    if not text or text.isascii():
        return (text or "").lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


def is_empty_title(title: str | None) -> bool:
    """A title a portal left empty ("", "None", "null", "untitled", ...)."""
    return _fold((title or "").strip()).strip(" .") in _EMPTY_TITLES


def format_free_title(title: str) -> str:
    """The title without format words, case, accents, punctuation or extra spacing ("" if nothing is left)."""
    text = _fold(title)
    previous = None
    while previous != text:  # "Parks (KML) - GeoJSON": strip every trailing format word
        previous = text
        text = _FORMAT_RE.sub(" ", text).strip()
    return _NOISE_RE.sub(" ", text).strip()


def has_period(title: str) -> bool:
    return bool(_YEAR_RE.search(title or ""))


def period_free_title(title: str) -> str:
    """The format-free title without its period expressions (years, months, "from ... to", "onwards")."""
    return _NOISE_RE.sub(" ", _PERIOD_RE.sub(" ", _fold(format_free_title(title)))).strip()


def period_years(title: str) -> list[int]:
    """The years a title names, in order of size."""
    return sorted(int(y) for y in _YEAR_RE.findall(title or ""))


def period_key(item: FamilyInput) -> tuple[int, int, int, int]:
    """Time order of a series member: coverage start, else the first year its title names; then the end."""
    years = [int(y) for y in _YEAR_RE.findall(item.title or "")]
    start = item.start.toordinal() if item.start else (date(min(years), 1, 1).toordinal() if years else 0)
    if item.end:
        end = item.end.toordinal()
    elif _ONWARDS_RE.search(item.title or ""):
        end = date.max.toordinal()  # "from Jan-2017 onwards" is the current piece
    else:
        end = date(max(years), 12, 31).toordinal() if years else start
    return (start, end, 0, 0)


class _Union:
    def __init__(self) -> None:
        self.parent: dict = {}

    def find(self, x):
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a, b) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb, key=repr)] = min(ra, rb, key=repr)


def owner_key(item: FamilyInput) -> str:
    """Who a dataset belongs to, for grouping: its publisher, else its source."""
    return f"p:{_fold(item.publisher).strip()}" if item.publisher.strip() else f"s:{item.source}"


def families_compute(items: Iterable[FamilyInput]) -> list[FamilyGroup]:
    """The families among ``items`` (groups of two or more; everything else stands alone)."""
    items = [i for i in items if not is_empty_title(i.title)]
    by_id = {i.id: i for i in items}
    bases = {i.id: format_free_title(i.title) for i in items}
    owners = {i.id: owner_key(i) for i in items}
    ids = list(by_id)
    variants = _Union()
    # A copy without a publisher joins the same-titled dataset of its source that has one (when only
    # one publisher uses that title there).
    publishers: dict[tuple[str, str], set[str]] = defaultdict(set)
    for item in items:
        if item.publisher.strip():
            publishers[(item.source, bases[item.id])].add(owners[item.id])
    by_key: dict[tuple, list] = defaultdict(list)
    for item in items:
        base = bases[item.id]
        if not base:
            continue
        owner = owners[item.id]
        known = publishers.get((item.source, base), set())
        if not item.publisher.strip() and len(known) == 1:
            owner = next(iter(known))
        by_key[("v", owner, base)].append(item)
        if item.collection:
            by_key[("c", item.collection, base)].append(item)
    for group in by_key.values():
        for other in group[1:]:
            variants.union(group[0].id, other.id)
    units: dict = defaultdict(list)  # variant group root -> member ids
    for i in ids:
        units[variants.find(i)].append(i)

    # Series: variant groups (units) with a period in their title, grouped by collection or by owner
    # and period-free title; at least two distinct periods make a series.
    series = _Union()
    candidates: dict[tuple, list] = defaultdict(list)
    for root, members in units.items():
        head = by_id[members[0]]
        if head.research or not has_period(head.title):
            continue
        collections = {by_id[m].collection for m in members}
        if len(collections) == 1 and head.collection:
            candidates[("c", head.collection)].append(root)
        stripped = period_free_title(head.title)
        if stripped:
            candidates[("t", owners[head.id], stripped)].append(root)
    period = {r: _period_text(by_id[r].title) for roots in candidates.values() for r in roots}
    words = {r: set(period_free_title(by_id[r].title).split()) for r in period}
    for (kind, *_), roots in candidates.items():
        for a_pos, a in enumerate(roots):
            for b in roots[a_pos + 1 :]:
                if period[a] == period[b]:
                    continue
                # In a collection the pieces may be worded a little differently ("based on approval
                # date" / "registration date"), but a collection of different things with years in
                # their names (newspapers, price indexes) is not one series.
                if kind == "t" or _similar(words[a], words[b]):
                    series.union(a, b)

    grouped: dict = defaultdict(list)
    for root in units:
        grouped[series.find(root)].append(root)
    out: list[FamilyGroup] = []
    for roots in grouped.values():
        members = [m for r in roots for m in units[r]]
        if len(members) < 2:
            continue
        if len(roots) >= 2:
            out.append(_series_group(roots, units, by_id))
        else:
            out.append(_variants_group(members, by_id))
    # A collection holding several series (digitised newspapers, one per title): tell their keys apart.
    counts: dict[str, int] = defaultdict(int)
    for g in out:
        counts[g.key] += 1
    for g in out:
        if counts[g.key] > 1:
            stripped = min(period_free_title(by_id[m].title) for m in g.members)
            g.key = f"{g.key}|{stripped}"
            g.title = _clean_series_title(by_id[g.members[-1]].title)
    out.sort(key=lambda g: g.key)
    return out


def _similar(wa: set[str], wb: set[str], *, threshold: float = 0.7) -> bool:
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) >= threshold


def _period_text(title: str) -> str:
    return " ".join(m.group(0).lower() for m in _PERIOD_RE.finditer(_fold(title)))


def _variants_group(members: list, by_id: dict) -> FamilyGroup:
    members = sorted(members, key=lambda m: (format_free_title(by_id[m].title), repr(m)))
    head = by_id[members[0]]
    title = _FORMAT_RE.sub(" ", head.title).strip(" -–") or head.title
    return FamilyGroup(
        VARIANTS, f"v|{owner_key(head)}|{format_free_title(head.title)}", " ".join(title.split()), members
    )


def _series_group(roots: list, units: dict, by_id: dict) -> FamilyGroup:
    ordered = sorted(roots, key=lambda r: (period_key(by_id[r]), repr(r)))
    members = [m for r in ordered for m in sorted(units[r], key=repr)]
    head = by_id[ordered[-1]]
    collections = {by_id[m].collection for m in members}
    if len(collections) == 1 and head.collection:
        key = f"s|c:{head.collection}"
        title = head.collection_name or period_free_title(head.title)
    else:
        key = f"s|{owner_key(head)}|{period_free_title(head.title)}"
        title = _clean_series_title(head.title)
    return FamilyGroup(SERIES, key, title, members)


def _clean_series_title(title: str) -> str:
    """A member's title without its format words and period ("Malaya Tribune-1945 to 1949" -> "Malaya Tribune")."""
    text = " ".join(_PERIOD_RE.sub(" ", _FORMAT_RE.sub(" ", title)).split())
    text = re.sub(r"\(\s*\)|\s+([,)])", r"\1", text)
    text = re.sub(r"\s+[-–]\s*(?=\w)", " – ", text)
    return text.strip(" ,-–(") or title


def series_lead(
    members: Sequence[FamilyInput],
    *,
    years: Sequence[int] = (),
    year_from: int | None = None,
    year_to: int | None = None,
) -> Hashable | None:
    """The member of a series that fits a query's time (``lead_by_years`` over the members' spans)."""

    def span(m: FamilyInput) -> tuple[Hashable, int | None, int | None]:
        start, end, _, _ = period_key(m)
        lo = date.fromordinal(start).year if start else None
        hi = date.fromordinal(end).year if end else None
        return (m.id, lo, hi)

    return lead_by_years([span(m) for m in members], years=years, year_from=year_from, year_to=year_to)


def lead_by_years(
    spans: Sequence[tuple[Hashable, int | None, int | None]],
    *,
    years: Sequence[int] = (),
    year_from: int | None = None,
    year_to: int | None = None,
) -> Hashable | None:
    """Which series member leads, from (id, first year, last year) spans (None = not stated): the one
    covering the window ``year_from``..``year_to`` or a year the query names; without a time, or when
    none fits, the latest (the current piece, also what "latest" asks for). Among several, the latest."""
    if not spans:
        return None
    far = 10**6

    def lo(s) -> int:
        return s[1] if s[1] is not None else (s[2] if s[2] is not None else -far)

    def hi(s) -> int:
        return s[2] if s[2] is not None else (s[1] if s[1] is not None else -far)

    ordered = sorted(spans, key=lambda s: (hi(s), lo(s), repr(s[0])))
    fits = ordered
    if year_from is not None or year_to is not None:
        lo_w = year_from if year_from is not None else -far
        hi_w = year_to if year_to is not None else far
        fits = [s for s in ordered if hi(s) >= lo_w and lo(s) <= hi_w]
    elif years:
        fits = [s for s in ordered if any(lo(s) <= y <= hi(s) for y in years)]
    return (fits or ordered)[-1][0]
