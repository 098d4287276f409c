"""One loaded index version (``SearchIndex``): memory-mapped vectors, per-document arrays, BM25."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from search.index.ann import vectors_open
from search.lexical import LexicalIndex, LexicalSegments
from search.ranking.families import family_positions
from search.ranking.popularity import MentionLinks
from search.ranking.rescoring import DocSignals


class SearchIndex:
    """One loaded index version. Read-only; safe to share between threads."""

    def __init__(self, *, version: int, directory: Path, searchable: bool = True):

        self.version = version
        self.directory = Path(directory)
        # What the ranking reads: the matrix, or the matrix with its approximate index (search.index.ann).
        self.embeddings: Any = vectors_open(self.directory)
        with np.load(self.directory / "meta.npz") as meta:
            m = {k: meta[k] for k in meta.files}
        self.ids: np.ndarray = m["ids"]
        self.source: np.ndarray = m["source"]
        self.publisher: np.ndarray = m["publisher"]
        self.geography: np.ndarray = m["geography"]
        self.year_start: np.ndarray = m["year_start"]
        self.year_end: np.ndarray = m["year_end"]
        self.active: np.ndarray = m["active"]
        self.quality: np.ndarray = m["quality"]
        self.link_broken: np.ndarray = m["link_broken"]
        self.freshness: np.ndarray = m["freshness"]
        self.singapore: np.ndarray = m["singapore"]
        self.modified: np.ndarray = m["modified"]
        self.popularity: np.ndarray | None = m.get("popularity")
        # Who mentions whom by name (``mention_links``); None in versions built before it was kept.
        self.mentions: MentionLinks | None = (
            MentionLinks(m["mentions_indptr"], m["mentions_indices"]) if "mentions_indptr" in m else None
        )
        n = len(self.ids)
        # Dataset families (0 = none); versions built before families existed have none.
        self.family: np.ndarray = m.get("family", np.zeros(n, dtype=np.int64))
        self.family_series: np.ndarray = m.get("family_series", np.zeros(n, dtype=bool))
        self.period_start: np.ndarray = m.get("period_start", np.full(n, -1, dtype=np.int16))
        self.period_end: np.ndarray = m.get("period_end", np.full(n, -1, dtype=np.int16))
        vocab = json.loads((self.directory / "vocab.json").read_text())
        self.vocab = vocab
        self.model_name: str = vocab["model_name"]
        self.build_id: str = vocab.get("build_id", "")
        self.sources: list[dict] = vocab["sources"]
        self.publishers: list[dict] = vocab["publishers"]
        self.geographies: list[str] = vocab["geographies"]
        self.formats_vocab: list[str] = vocab["formats"]
        self.themes_vocab: list[str] = vocab["themes"]
        self.titles: list[str] = json.loads((self.directory / "titles.json").read_text())
        self.formats = MultiValued(m["formats_indptr"], m["formats_indices"], len(self.formats_vocab))
        # Each document's own formats (the family's are in ``formats``); older versions have only those.
        self.own_formats = (
            MultiValued(m["own_formats_indptr"], m["own_formats_indices"], len(self.formats_vocab))
            if "own_formats_indptr" in m
            else self.formats
        )
        self.themes = MultiValued(m["themes_indptr"], m["themes_indices"], len(self.themes_vocab))
        # Column names (previews, portal metadata) and their column_key forms; none in older versions.
        self.columns_vocab: list[str] = vocab.get("columns", [])
        self.column_keys: list[str] = vocab.get("column_keys", [])
        self.columns = MultiValued(
            m.get("columns_indptr", np.zeros(n + 1, dtype=np.int64)),
            m.get("columns_indices", np.zeros(0, dtype=np.int32)),
            len(self.columns_vocab),
        )
        # Licence ids and research labels; versions built before them have none (empty facets).
        self.licences_vocab: list[str] = vocab.get("licences", [])
        self.licence: np.ndarray = m.get("licence", np.full(n, -1, dtype=np.int32))
        self.tasks_vocab: list[str] = vocab.get("tasks", [])
        self.modalities_vocab: list[str] = vocab.get("modalities", [])
        self.tasks = _multi(m, "tasks", len(self.tasks_vocab), n)
        self.modalities = _multi(m, "modalities", len(self.modalities_vocab), n)
        self.lookups_index()
        self.position: Mapping[int, int] = PositionMap(self.ids)
        # A delta's files (``searchable=False``) carry no BM25 index: the overlay scores them itself.
        self.lexical: LexicalSegments = (
            LexicalIndex.load(self.directory / "lexical") if searchable else LexicalIndex({}, len(self.ids))
        )
        # Rows a delta replaced (``search.index.delta``): False there, never searched; None when none is.
        self.live: np.ndarray | None = None
        # The change log position the documents reflect, and when that change was logged (None: the build's).
        self.change_seq: int = int(vocab.get("change_seq", 0))
        self.changes_at: datetime | None = None
        self.loaded_at = time.time()

    def lookups_index(self) -> None:
        """The label -> code lookups filters use (after the vocabularies change)."""
        self.source_by_slug = {s["slug"]: i for i, s in enumerate(self.sources)}
        self.publisher_by_slug = {p["slug"]: i for i, p in enumerate(self.publishers)}
        # A publisher filter may name the publisher instead of giving its slug.
        self.publisher_lookup = {
            **{p["name"].lower(): i for i, p in enumerate(self.publishers)},
            **self.publisher_by_slug,
        }
        self.format_by_name = {f.upper(): i for i, f in enumerate(self.formats_vocab)}
        self.theme_by_name = {t.lower(): i for i, t in enumerate(self.themes_vocab)}
        self.geo_by_name = {g.lower(): i for i, g in enumerate(self.geographies)}
        self.licence_by_id = {v.lower(): i for i, v in enumerate(self.licences_vocab)}
        self.task_by_name = {t.lower(): i for i, t in enumerate(self.tasks_vocab)}
        self.modality_by_name = {t.lower(): i for i, t in enumerate(self.modalities_vocab)}

    def __len__(self) -> int:
        return len(self.ids)

    @cached_property
    def signals(self) -> DocSignals:
        """The catalog signals re-scoring reads, indexed like the vectors."""
        return DocSignals(
            quality=self.quality,
            link_broken=self.link_broken,
            freshness=self.freshness,
            is_singapore=self.singapore,
            publisher=[self.publishers[c]["name"] if c >= 0 else "" for c in self.publisher.tolist()],
            popularity=self.popularity,
            mentions=self.mentions,
            tasks=LabelNames(self.tasks, self.tasks_vocab),
            modalities=LabelNames(self.modalities, self.modalities_vocab),
            titles=self.summary_titles,
        )

    @property
    def summary_titles(self) -> list[str]:
        """The titles that summarise their dataset, "" for a name (a research source's "COCO", "Cityscapes")."""
        named = {code for code, s in enumerate(self.sources) if s.get("kind") == "research"}
        if not named:
            return self.titles
        return ["" if code in named else title for title, code in zip(self.titles, self.source.tolist(), strict=True)]

    @cached_property
    def family_members(self) -> dict[int, np.ndarray]:
        """Family id -> its members' positions (series leads are chosen among them)."""
        return family_positions(self.family)

    @property
    def active_count(self) -> int:
        return int(self.active.sum())

    def column_names(self, i: int) -> list[str]:
        return [self.columns_vocab[c] for c in self.columns.values(i).tolist()]

    def publisher_name(self, i: int) -> str:
        code = int(self.publisher[i])
        return self.publishers[code]["name"] if code >= 0 else ""

    def source_name(self, i: int) -> str:
        code = int(self.source[i])
        return self.sources[code]["name"] if code >= 0 else ""


class LabelNames(Sequence[list[str]]):
    """A multi-valued field as each document's value names (research labels for re-scoring), read from the
    CSR arrays when asked: no per-document lists kept."""

    def __init__(self, field: MultiValued, vocab: list[str]):
        self.field = field
        self.vocab = vocab

    def __len__(self) -> int:
        return len(self.field.indptr) - 1

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return [self.vocab[c] for c in self.field.values(i).tolist()]


class PositionMap(Mapping[int, int]):
    """Dataset id -> row, over the version's ids (a dict of a million ints would cost ~100 MB per process):
    a binary search in the ids, which a build writes in ascending order (else a sorted copy is kept)."""

    def __init__(self, ids: np.ndarray):
        self.ids = ids
        ordered = len(ids) < 2 or bool(np.all(ids[1:] > ids[:-1]))
        self.order = None if ordered else np.argsort(ids, kind="stable")
        self.sorted = ids if ordered else ids[self.order]

    def _find(self, key) -> int:
        try:
            key = int(key)
        except (TypeError, ValueError):
            return -1
        i = int(np.searchsorted(self.sorted, key))
        if i < len(self.sorted) and int(self.sorted[i]) == key:
            return i if self.order is None else int(self.order[i])
        return -1

    def __getitem__(self, key) -> int:
        i = self._find(key)
        if i < 0:
            raise KeyError(key)
        return i

    def __contains__(self, key) -> bool:
        return self._find(key) >= 0

    def __iter__(self):
        return (int(i) for i in self.ids.tolist())

    def __len__(self) -> int:
        return len(self.ids)


def _multi(m: dict, name: str, size: int, n: int) -> MultiValued:
    if f"{name}_indptr" in m:
        return MultiValued(m[f"{name}_indptr"], m[f"{name}_indices"], size)
    return MultiValued(np.zeros(n + 1, dtype=np.int64), np.zeros(0, dtype=np.int32), size)


@dataclass
class MultiValued:
    """A multi-valued field in CSR form (document -> value codes)."""

    indptr: np.ndarray
    indices: np.ndarray
    size: int
    _doc_of: np.ndarray | None = field(default=None, repr=False)

    @property
    def doc_of(self) -> np.ndarray:
        if self._doc_of is None:
            counts = np.diff(self.indptr)
            self._doc_of = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
        return self._doc_of

    def mask_any(self, codes: list[int], n: int) -> np.ndarray:
        """Documents having at least one of ``codes``."""
        mask = np.zeros(n, dtype=bool)
        hit = np.isin(self.indices, np.asarray(codes, dtype=np.int32))
        mask[self.doc_of[hit]] = True
        return mask

    def values(self, i: int) -> np.ndarray:
        return self.indices[self.indptr[i] : self.indptr[i + 1]]

    def counts(self, docs: np.ndarray) -> np.ndarray:
        """How many of ``docs`` carry each value code."""
        if len(docs) == 0:
            return np.zeros(self.size, dtype=np.int64)
        starts, ends = self.indptr[docs], self.indptr[docs + 1]
        lengths = ends - starts
        if lengths.sum() == 0:
            return np.zeros(self.size, dtype=np.int64)
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        return np.bincount(self.indices[offsets], minlength=self.size)
