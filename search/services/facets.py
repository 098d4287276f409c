"""Facet filters and their counts, with one rule: a facet value's count is the number of results a
click on it gives.

The results of a search are the query's matches (``search.ranking.pipeline.rank`` over the documents
the non-facet filters allow; every document they allow when there is no query) that pass every facet
filter, one per dataset family. Facet filters only narrow that match set, so a value's count is
exact: the families among the matches that pass the *other* facets' filters and have the value
(multi-select facets: values OR within a facet, facets AND across; the facet's own selection is left
out of its counts, as on the best portals). A family is counted once, through any member.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import numpy as np

from catalog.licences import licence_get
from search.index.loaded import MultiValued, SearchIndex

FACET_LIMIT = 20
# Multi-select facets a search filters on, plus the years range (``year_from``/``year_to``).
FACET_FILTERS = ("source", "publisher", "format", "theme", "licence", "task", "modality", "updated")
FACET_NAMES = (*FACET_FILTERS, "year")
DAY = 86400.0
# "Updated" buckets: the first three nest (the past week is in the past month); "older" is the rest.
UPDATED_BUCKETS = (("week", "Past week", 7), ("month", "Past month", 31), ("year", "Past year", 366))
UPDATED_CHOICES = (*(b[0] for b in UPDATED_BUCKETS), "older")
UPDATED_LABELS = {**{b[0]: b[1] for b in UPDATED_BUCKETS}, "older": "More than a year ago"}
YEAR_WINDOW = 100


def _codes_any(multi: MultiValued, codes: list[int], n: int) -> np.ndarray:
    return multi.mask_any(codes, n) if codes else np.zeros(n, dtype=bool)


def updated_masks(modified: np.ndarray, *, now: float | None = None) -> dict[str, np.ndarray]:
    """Each "updated" bucket's documents, from their modification times (unknown: in none)."""
    now = time.time() if now is None else now
    age = (now - modified) / DAY  # NaN when unknown: every comparison is False
    with np.errstate(invalid="ignore"):
        out = {name: age <= days for name, _, days in UPDATED_BUCKETS}
        out["older"] = age > UPDATED_BUCKETS[-1][2]
    return out


def year_mask(index: SearchIndex, clean: dict) -> np.ndarray:
    """Coverage overlapping [year_from, year_to]; an open end counts as ongoing. A dataset with no
    coverage dates cannot be said to overlap: dropped, unless undated=keep."""
    start = index.year_start.astype(np.int32)
    end = index.year_end.astype(np.int32)
    known = (start >= 0) | (end >= 0)
    start = np.where(start >= 0, start, -(10**6))
    end = np.where(end >= 0, end, 10**6)
    ok = known.copy()
    if "year_from" in clean:
        ok &= end >= clean["year_from"]
    if "year_to" in clean:
        ok &= start <= clean["year_to"]
    if clean.get("undated") == "keep":
        ok |= ~known
    return ok


def facet_masks(index: SearchIndex, clean: dict, *, now: float | None = None) -> dict[str, np.ndarray]:
    """For each facet with a selection, the documents it allows (any of its values)."""
    n = len(index)
    out: dict[str, np.ndarray] = {}
    if "source" in clean:
        out["source"] = np.isin(index.source, [index.source_by_slug[s] for s in clean["source"]])
    if "publisher" in clean:
        out["publisher"] = np.isin(index.publisher, [index.publisher_by_slug[p] for p in clean["publisher"]])
    if "format" in clean:
        # Members in the format: a family matches through any of them and is led by one ("KML only").
        out["format"] = _codes_any(index.own_formats, [index.format_by_name[f] for f in clean["format"]], n)
    if "theme" in clean:
        out["theme"] = _codes_any(index.themes, [index.theme_by_name[t.lower()] for t in clean["theme"]], n)
    if "licence" in clean:
        out["licence"] = np.isin(index.licence, [index.licence_by_id[v.lower()] for v in clean["licence"]])
    if "task" in clean:
        out["task"] = _codes_any(index.tasks, [index.task_by_name[t.lower()] for t in clean["task"]], n)
    if "modality" in clean:
        codes = [index.modality_by_name[m.lower()] for m in clean["modality"]]
        out["modality"] = _codes_any(index.modalities, codes, n)
    if "updated" in clean:
        buckets = updated_masks(index.modified, now=now)
        mask = np.zeros(n, dtype=bool)
        for name in clean["updated"]:
            mask |= buckets[name]
        out["updated"] = mask
    if "year_from" in clean or "year_to" in clean:
        out["year"] = year_mask(index, clean)
    return out


def _count_pairs(keys: np.ndarray, codes: np.ndarray, size: int) -> np.ndarray:
    """Per code, the distinct keys carrying it (keys < 0: a document alone, never repeated per code)."""
    if not len(codes):
        return np.zeros(size, dtype=np.int64)
    grouped = keys >= 0
    counts = np.bincount(codes[~grouped], minlength=size)
    if grouped.any():
        pairs = np.unique(keys[grouped].astype(np.int64) * size + codes[grouped])
        counts = counts + np.bincount(pairs % size, minlength=size)
    return counts


def _multi_pairs(multi: MultiValued, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row in ``docs``, value code) for every value of every document in ``docs``."""
    starts, ends = multi.indptr[docs], multi.indptr[docs + 1]
    lengths = ends - starts
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    rows = np.repeat(np.arange(len(docs)), lengths)
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
    return rows, multi.indices[offsets].astype(np.int64)


def _ranked(counts: np.ndarray, selected: list[int], value, label) -> list[dict]:
    nonzero = np.flatnonzero(counts)
    order = nonzero[np.lexsort((nonzero, -counts[nonzero]))][:FACET_LIMIT].tolist()
    order += [c for c in selected if c not in order]  # a chosen value stays on show, to be unchosen
    return [{"value": value(i), "label": label(i), "count": int(counts[i])} for i in order]


def _year_counts(index: SearchIndex, docs: np.ndarray, keys: np.ndarray, clean: dict) -> list[dict]:
    start = index.year_start[docs].astype(np.int64)
    end = index.year_end[docs].astype(np.int64)
    known = (start >= 0) | (end >= 0)
    if not known.any():
        return []
    this_year = datetime.now(UTC).year
    hi = min(max(this_year, int(np.max(np.maximum(start, end)[known]))), this_year + 10)
    lo = hi - YEAR_WINDOW + 1
    keep_undated = clean.get("undated") == "keep"
    start = np.where(start >= 0, start, lo)
    end = np.where(end >= 0, end, hi)
    if keep_undated:  # a click keeps the undated ones too: they count in every year
        start, end = np.where(known, start, lo), np.where(known, end, hi)
    else:
        start, end, keys = start[known], end[known], keys[known]
    start, end = np.clip(start, lo, hi + 1), np.clip(end, lo - 1, hi)
    ok = start <= end
    start, end, keys = start[ok] - lo, end[ok] - lo, keys[ok]
    size = YEAR_WINDOW
    alone = keys < 0
    starts, ends = start[alone], end[alone]
    if (~alone).any():
        # A family counts once a year: merge its members' spans into disjoint ones first.
        s, e, k = start[~alone], end[~alone], keys[~alone]
        order = np.lexsort((s, k))
        s, e, k = s[order], e[order], k[order]
        first = np.r_[True, k[1:] != k[:-1]]
        group = np.cumsum(first) - 1
        # The running end within each family (groups offset so the maximum never carries across one).
        running = np.maximum.accumulate(e + group * (size + 2)) - group * (size + 2)
        opens = np.flatnonzero(first | (s > np.r_[-1, running[:-1]]))
        closes = np.r_[opens[1:] - 1, len(s) - 1]
        starts, ends = np.r_[starts, s[opens]], np.r_[ends, running[closes]]
    counts = np.cumsum(np.bincount(starts, minlength=size + 1) - np.bincount(ends + 1, minlength=size + 1))[:size]
    selected = clean.get("year_from") if clean.get("year_from") == clean.get("year_to") else None
    out = [
        {"value": str(lo + i), "label": str(lo + i), "count": int(counts[i])}
        for i in np.flatnonzero(counts)[::-1][:FACET_LIMIT].tolist()
    ]
    if selected is not None and not any(b["value"] == str(selected) for b in out):
        out.append({"value": str(selected), "label": str(selected), "count": 0})
    return out


def facet_counts(
    index: SearchIndex, matched: np.ndarray, masks: dict[str, np.ndarray], clean: dict, *, now: float | None = None
) -> dict[str, list[dict]]:
    """Every facet's values with exact counts over ``matched`` (the query's matches, before facet
    filters), given the facet selections ``masks`` (from ``facet_masks``)."""
    family = index.family[matched]
    keys = np.where(family > 0, family, -1 - matched)
    failing = np.zeros(len(matched), dtype=np.int8)
    fails = {name: ~mask[matched] for name, mask in masks.items()}
    for miss in fails.values():
        failing += miss
    out: dict[str, list[dict]] = {}
    for name in FACET_NAMES:
        ok = failing == 0 if name not in fails else (failing - fails[name]) == 0
        rows = np.flatnonzero(ok)
        docs = matched[rows]
        k = keys[rows]
        if name == "year":
            out[name] = _year_counts(index, docs, k, clean)
            continue
        if name in ("source", "publisher", "licence"):
            codes = getattr(index, name)[docs].astype(np.int64)
            valid = codes >= 0
            size = {"source": len(index.sources), "publisher": len(index.publishers)}.get(
                name, len(index.licences_vocab)
            )
            counts = _count_pairs(k[valid], codes[valid], size)
        elif name == "updated":
            updated = updated_masks(index.modified[docs], now=now)
            size = len(UPDATED_CHOICES)
            pair_rows = [np.flatnonzero(updated[choice]) for choice in UPDATED_CHOICES]
            codes = np.concatenate([np.full(len(r), i, dtype=np.int64) for i, r in enumerate(pair_rows)])
            counts = _count_pairs(k[np.concatenate(pair_rows)], codes, size)
            # Fixed order (newest first), chosen ones kept, empty ones left out.
            chosen = set(clean.get("updated") or [])
            out[name] = [
                {"value": choice, "label": UPDATED_LABELS[choice], "count": int(counts[i])}
                for i, choice in enumerate(UPDATED_CHOICES)
                if counts[i] or choice in chosen
            ]
            continue
        else:
            multi = {
                "format": index.own_formats,
                "theme": index.themes,
                "task": index.tasks,
                "modality": index.modalities,
            }[name]
            pair_rows, codes = _multi_pairs(multi, docs)
            size = multi.size
            counts = _count_pairs(k[pair_rows], codes, size)
        out[name] = _ranked(counts, _selected_codes(index, name, clean), *_labels(index, name))
    return out


def _labels(index: SearchIndex, name: str):
    if name == "source":
        return (lambda i: index.sources[i]["slug"]), (lambda i: index.sources[i]["name"])
    if name == "publisher":
        return (lambda i: index.publishers[i]["slug"]), (lambda i: index.publishers[i]["name"])
    if name == "licence":

        def licence_label(i: int) -> str:
            licence = licence_get(index.licences_vocab[i])
            return licence.name if licence is not None else index.licences_vocab[i]

        return (lambda i: index.licences_vocab[i]), licence_label
    vocab = {
        "format": index.formats_vocab,
        "theme": index.themes_vocab,
        "task": index.tasks_vocab,
        "modality": index.modalities_vocab,
    }[name]
    return (lambda i: vocab[i]), (lambda i: vocab[i])


def _selected_codes(index: SearchIndex, name: str, clean: dict) -> list[int]:
    values = clean.get(name) or []
    lookup = {
        "source": index.source_by_slug,
        "publisher": index.publisher_by_slug,
        "format": index.format_by_name,
        "licence": index.licence_by_id,
        "theme": index.theme_by_name,
        "task": index.task_by_name,
        "modality": index.modality_by_name,
    }[name]
    fold = (
        (lambda v: v.upper()) if name == "format" else (lambda v: v if name in ("source", "publisher") else v.lower())
    )
    return [lookup[fold(v)] for v in values if fold(v) in lookup]
