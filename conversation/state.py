"""The explicit search state of a conversation: what the user asked for, kept between turns.

A state is the query text, include and exclude sets per facet, a time window, the sort, the page,
the "more like" anchor and the list of results last shown (ids in order). It is stored as JSON on
``Conversation.state``, rendered as removable chips, and returned by the API as ``search_state``.
Every change keeps the previous state on a short undo stack, so "undo" and "bring NEA back" work.

Facet values are stored as ``{"value": ..., "label": ...}``: ``value`` is what the search service
filters on (a source slug, a publisher name, a format, a frequency word, a title term, a dataset
id), ``label`` is what the user reads.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from search.services import SORTS as SEARCH_SORTS

# Facets the user can include or exclude. The first five are filters of the search index; the
# others are resolved to dataset ids against the catalog (see conversation.facets).
FACETS = ("source", "publisher", "format", "theme", "geography", "frequency", "licence", "title", "dataset")
FACET_LABELS = {
    "source": "source",
    "publisher": "publisher",
    "format": "format",
    "theme": "theme",
    "geography": "place",
    "frequency": "frequency",
    "licence": "licence",
    "title": "title",
    "dataset": "dataset",
}
UNDO_DEPTH = 10
# What a follow-up refers to ("that one", "add X to that comparison", "just those"): the conversation's memory, kept with
# the state but no part of the search state the API returns.
REFERENCE_FIELDS = ("focus", "compared", "subset")
SORTS = SEARCH_SORTS  # the state sorts as the search service can


@dataclass
class SearchState:
    query: str = ""
    include: dict[str, list[dict]] = field(default_factory=dict)
    exclude: dict[str, list[dict]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    sort: str = "relevance"
    page: int = 1
    similar_to: int | None = None
    result_ids: list[int] = field(default_factory=list)
    focus: int | None = None  # the dataset "that one" refers to: the last one a reply was about
    compared: list[int] = field(default_factory=list)  # the last comparison's datasets ("add TriviaQA to that comparison")
    subset: dict | None = None  # what "those" refers to after a count: {"facet", "values", "label"}
    undo: list[dict] = field(default_factory=list)

    # --- (de)serialisation -------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: dict | None) -> SearchState:
        data = dict(data or {})
        state = cls(
            query=str(data.get("query") or ""),
            include=_facet_sets(data.get("include")),
            exclude=_facet_sets(data.get("exclude")),
            year_from=_int_or_none(data.get("year_from")),
            year_to=_int_or_none(data.get("year_to")),
            sort=data.get("sort") if data.get("sort") in SORTS else "relevance",
            page=max(1, _int_or_none(data.get("page")) or 1),
            similar_to=_int_or_none(data.get("similar_to")),
            result_ids=[int(i) for i in data.get("result_ids") or [] if str(i).lstrip("-").isdigit()],
            focus=_int_or_none(data.get("focus")),
            compared=[int(i) for i in data.get("compared") or [] if str(i).lstrip("-").isdigit()],
            subset=_subset(data.get("subset")),
            undo=[u for u in data.get("undo") or [] if isinstance(u, dict)][-UNDO_DEPTH:],
        )
        # States written before include/exclude existed carried a flat ``filters`` dict.
        for name, value in (data.get("filters") or {}).items():
            if name in ("year_from", "year_to"):
                setattr(state, name, state.__dict__[name] or _int_or_none(value))
            elif name in FACETS:
                for item in value if isinstance(value, list) else str(value).split(","):
                    if str(item).strip():
                        state.add("include", name, str(item).strip())
        return state

    def to_dict(self, *, with_undo: bool = True) -> dict:
        data = {
            "query": self.query,
            "include": {k: v for k, v in self.include.items() if v},
            "exclude": {k: v for k, v in self.exclude.items() if v},
            "year_from": self.year_from,
            "year_to": self.year_to,
            "sort": self.sort,
            "page": self.page,
            "similar_to": self.similar_to,
            "result_ids": list(self.result_ids),
            "focus": self.focus,
            "compared": list(self.compared),
            "subset": self.subset,
        }
        if with_undo:
            data["undo"] = list(self.undo)
        return data

    def public(self) -> dict:
        """What the API returns as ``search_state``: what the search is (query, filters, years, sort, the results it
        showed) with the chips, without the undo stack or what the conversation refers to (``references``), so a
        question about a result leaves the search state as it was."""
        data = {k: v for k, v in self.to_dict(with_undo=False).items() if k not in REFERENCE_FIELDS}
        return data | {"chips": [chip.to_dict() for chip in self.chips()]}

    def references(self) -> dict:
        """What the API returns as ``references``: the dataset "that one" means and the last comparison's datasets."""
        return {"focus": self.focus, "compared": list(self.compared)}

    def copy(self) -> SearchState:
        return copy.deepcopy(self)

    # --- changes -------------------------------------------------------------------------------

    def checkpoint(self) -> None:
        """Remember the current state so the next change can be undone (a copy: the change that follows edits
        the filter lists in place)."""
        self.undo = [*self.undo, copy.deepcopy(self.to_dict(with_undo=False))][-UNDO_DEPTH:]

    def restore_previous(self) -> bool:
        if not self.undo:
            return False
        previous = self.undo[-1]
        remaining = self.undo[:-1]
        restored = SearchState.from_dict(previous)
        restored.undo = remaining
        self.__dict__.update(restored.__dict__)
        return True

    def values(self, mode: str, facet: str) -> list[str]:
        return [item["value"] for item in getattr(self, mode).get(facet, [])]

    def has(self, mode: str, facet: str, value: str) -> bool:
        return _fold(value) in {_fold(v) for v in self.values(mode, facet)}

    def add(self, mode: str, facet: str, value: str, label: str | None = None) -> bool:
        """Include or exclude a value; the opposite set loses it. False when nothing changed."""
        if self.has(mode, facet, value):
            return False
        other = "exclude" if mode == "include" else "include"
        self.remove(other, facet, value)
        getattr(self, mode).setdefault(facet, []).append({"value": value, "label": label or value})
        return True

    def remove(self, mode: str | None, facet: str, value: str | None = None) -> list[dict]:
        """Drop one value (or the whole facet when ``value`` is None) from one or both sets."""
        removed = []
        for name in (mode,) if mode else ("include", "exclude"):
            sets = getattr(self, name)
            kept = []
            for item in sets.get(facet, []):
                if value is None or _fold(item["value"]) == _fold(value) or _fold(item["label"]) == _fold(value):
                    removed.append(item | {"mode": name, "facet": facet})
                else:
                    kept.append(item)
            if kept:
                sets[facet] = kept
            else:
                sets.pop(facet, None)
        return removed

    def last_added(self, mode: str) -> list[dict]:
        """The values the last change put in the ``mode`` set ("put them back" brings excluded ones back)."""
        if not self.undo:
            return []
        before = SearchState.from_dict(self.undo[-1])
        return [
            item | {"facet": facet}
            for facet, items in getattr(self, mode).items()
            for item in items
            if not before.has(mode, facet, item["value"])
        ]

    def last_change_mode(self) -> str | None:
        """Whether the last change excluded or included something ("and IAM as well" does the same again)."""
        return next((mode for mode in ("exclude", "include") if self.last_added(mode)), None)

    def clear_filters(self) -> bool:
        changed = bool(self.include or self.exclude or self.year_from or self.year_to)
        self.include, self.exclude, self.year_from, self.year_to = {}, {}, None, None
        return changed

    def has_filters(self) -> bool:
        return bool(self.include or self.exclude or self.year_from is not None or self.year_to is not None)

    # --- presentation ----------------------------------------------------------------------------

    def chips(self) -> list[Chip]:
        chips = []
        for mode in ("include", "exclude"):
            for facet, items in getattr(self, mode).items():
                for item in items:
                    chips.append(Chip(mode=mode, facet=facet, value=item["value"], label=item["label"]))
        if self.year_from is not None or self.year_to is not None:
            chips.append(Chip(mode="time", facet="time", value="time", label=self.time_label()))
        if self.sort != "relevance":
            chips.append(Chip(mode="sort", facet="sort", value=self.sort, label=SORT_LABELS[self.sort]))
        return chips

    def time_label(self) -> str:
        if self.year_from is not None and self.year_to is not None:
            if self.year_from == self.year_to:
                return f"covering {self.year_from}"
            return f"covering {self.year_from}–{self.year_to}"
        if self.year_from is not None:
            return f"covering {self.year_from} or later"
        if self.year_to is not None:
            return f"covering {self.year_to} or earlier"
        return ""


SORT_LABELS = {
    "relevance": "best match",
    "recent": "most recent first",
}


@dataclass(frozen=True)
class Chip:
    mode: str  # include | exclude | time | sort
    facet: str
    value: str
    label: str

    @property
    def text(self) -> str:
        if self.mode == "exclude":
            return f"not {self.label}" if self.facet != "title" else f"title without “{self.label}”"
        if self.mode == "include":
            if self.facet == "title":
                return f"title has “{self.label}”"
            if self.facet == "publisher":
                return f"from {self.label}"
            if self.facet == "source":
                return f"on {self.label}"
            return f"{self.label} only"
        return self.label

    def to_dict(self) -> dict:
        return {"mode": self.mode, "facet": self.facet, "value": self.value, "label": self.label, "text": self.text}


def _fold(text: str) -> str:
    return " ".join(str(text or "").casefold().split())


def _int_or_none(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _facet_sets(raw) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    if not isinstance(raw, dict):
        return out
    for facet, items in raw.items():
        if facet not in FACETS or not isinstance(items, list):
            continue
        clean = []
        for item in items:
            if isinstance(item, dict) and str(item.get("value") or "").strip():
                clean.append({"value": str(item["value"]), "label": str(item.get("label") or item["value"])})
            elif isinstance(item, str) and item.strip():
                clean.append({"value": item, "label": item})
        if clean:
            out[facet] = clean
    return out


def _subset(value) -> dict | None:
    if not isinstance(value, dict) or not isinstance(value.get("values"), list) or not value.get("facet"):
        return None
    return {"facet": str(value["facet"]), "values": [str(v) for v in value["values"]], "label": str(value.get("label") or "")}
