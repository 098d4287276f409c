"""The delta: catalog changes laid over a published index version, so an edit is searchable without a build.

A catalog write logs its datasets in ``IndexChange`` (``search.reindex``, after they are embedded) and
moves ``IndexState.change_seq`` on. Each process, when it next checks the state, reads the datasets
changed since its version's build from the database, writes them as a small index of their own and lays
it over the version (``index_overlay``):

- the version's rows of those datasets stop being searched (``SearchIndex.live``), whatever the filters;
- the changed datasets are appended: their vectors beside the memory-mapped matrix (``StackedVectors``),
  their words in a small lexical index scored with the version's own statistics (``StackedLexical``), so
  a word no build has seen before is found, and their labels merged into the version's vocabularies.

The overlay is rebuilt from the whole log since the build each time (so every process computes the same
one), which stays cheap while the log is short: past ``SEARCH_DELTA_COMPACT_AT`` changes a full build is
queued (compaction), and the next version starts a new log.
"""

from __future__ import annotations

import copy
import logging
import math
import shutil
import uuid
from collections import ChainMap, Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from django.conf import settings

from catalog.columns import column_key
from search.index.documents import IndexDoc, doc_fields
from search.index.files import index_files_write
from search.index.loaded import MultiValued, SearchIndex
from search.lexical import K1, B, LexicalIndex, field_texts
from search.ranking.pipeline import dense_candidates, dense_similarities
from search.text import tokenize

logger = logging.getLogger(__name__)


class StackedVectors:
    """The version's vectors (memory-mapped, read-only) followed by the delta's: what the ranking reads
    (``len``, ``@`` a query vector, rows by position) without copying the large matrix."""

    def __init__(self, base, extra: np.ndarray):
        self.base = base
        self.extra = np.ascontiguousarray(extra, dtype=np.float32).reshape(-1, base.shape[1])
        self.split = base.shape[0]
        self.shape = (self.split + self.extra.shape[0], base.shape[1])
        self.dtype = np.dtype(np.float32)

    def __len__(self) -> int:
        return self.shape[0]

    def __matmul__(self, vector: np.ndarray) -> np.ndarray:
        return np.concatenate([np.asarray(self.base @ vector, dtype=np.float32), self.extra @ vector])

    def similarities(self, vector: np.ndarray, mask: np.ndarray) -> np.ndarray:
        base = dense_similarities(self.base, vector, mask[: self.split])
        return np.concatenate([np.asarray(base, dtype=np.float32), self.extra @ vector])

    def candidates(self, vector: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """The version's approximate candidates followed by every allowed delta row (None without an
        approximate index: ``similarities``)."""
        found = dense_candidates(self.base, vector, mask[: self.split])
        if found is None:
            return None
        extra = np.flatnonzero(mask[self.split :])
        return np.concatenate([found[0], extra + self.split]), np.concatenate([found[1], self.extra[extra]])

    def __getitem__(self, key):
        if isinstance(key, int | np.integer):
            key = int(key) + self.shape[0] if key < 0 else int(key)
            return self.base[key] if key < self.split else self.extra[key - self.split]
        rows = np.asarray(key, dtype=np.int64).reshape(-1)
        rows = np.where(rows < 0, rows + self.shape[0], rows)
        out = np.empty((len(rows), self.shape[1]), dtype=np.float32)
        in_base = rows < self.split
        if in_base.any():
            out[in_base] = self.base[rows[in_base]]
        if (~in_base).any():
            out[~in_base] = self.extra[rows[~in_base] - self.split]
        return out


class DeltaLexical:
    """BM25 over the delta's documents with the version's corpus statistics (document frequencies,
    lengths), so their scores compare with the version's: a word the version never saw counts as the
    rarest word there is, as it would in a build that included it."""

    def __init__(self, docs: Sequence[IndexDoc], base: LexicalIndex):
        self.size = len(docs)
        self.base = base
        self.weights = base.weights
        self.total = base.size + len(docs)
        self.postings: dict[str, dict[str, list[tuple[int, float]]]] = {}  # field -> token -> (doc, tf part)
        texts = [field_texts(doc_fields(d)) for d in docs]
        for name in self.weights:
            tokens = [tokenize(t[name]) for t in texts]
            if not any(tokens):
                continue
            lengths = [len(t) for t in tokens]
            avgdl = base.avgdl.get(name) or (sum(lengths) / len(lengths))
            by_token: dict[str, list[tuple[int, float]]] = {}
            for i, doc_tokens in enumerate(tokens):
                norm = K1 * (1 - B + B * lengths[i] / max(avgdl, 1e-9))
                for token, tf in Counter(doc_tokens).items():
                    by_token.setdefault(token, []).append((i, tf / (tf + norm)))
            self.postings[name] = by_token

    def scores(self, query: str) -> np.ndarray:
        total = np.zeros(self.size, dtype=np.float32)
        tokens = list(dict.fromkeys(tokenize(query)))
        for name, by_token in self.postings.items():
            weight = self.weights.get(name, 1.0)
            for token in tokens:
                hits = by_token.get(token)
                if not hits:
                    continue
                df = self.base.document_frequency(name, token) + len(hits)
                idf = math.log(1 + (self.total - df + 0.5) / (df + 0.5))
                for i, part in hits:
                    total[i] += weight * idf * part
        return total


class StackedLexical:
    """The version's lexical index followed by the delta's (positions as in ``StackedVectors``)."""

    def __init__(self, base: LexicalIndex, delta: DeltaLexical):
        self.base = base
        self.delta = delta
        self.size = base.size + delta.size

    def scores(self, query: str) -> np.ndarray:
        return np.concatenate([self.base.scores(query), self.delta.scores(query)])

    search = LexicalIndex.search


def _labels_merge(base_vocab: list, delta_vocab: list, key) -> tuple[list, np.ndarray]:
    """The base vocabulary extended with the delta's new labels, and each delta code's code in it."""
    merged = list(base_vocab)
    where = {key(v): i for i, v in enumerate(merged)}
    codes = np.empty(len(delta_vocab), dtype=np.int32)
    for j, v in enumerate(delta_vocab):
        if key(v) not in where:
            where[key(v)] = len(merged)
            merged.append(v)
        codes[j] = where[key(v)]
    return merged, codes


def _codes_stack(base: np.ndarray, delta: np.ndarray, remap: np.ndarray) -> np.ndarray:
    mapped = np.full(len(delta), -1, dtype=base.dtype)
    known = delta >= 0
    mapped[known] = remap[delta[known]]
    return np.concatenate([base, mapped])


def _multi_stack(base: MultiValued, delta: MultiValued, remap: np.ndarray, size: int) -> MultiValued:
    indptr = np.concatenate([base.indptr, base.indptr[-1] + delta.indptr[1:]])
    indices = np.concatenate([base.indices, remap[delta.indices].astype(np.int32) if len(delta.indices) else []])
    return MultiValued(indptr.astype(np.int64), indices.astype(np.int32), size)


PER_DOC_ARRAYS = (
    "ids", "active", "quality", "link_broken", "freshness", "singapore", "modified", "family", "family_series",
    "period_start", "period_end", "year_start", "year_end",
)  # fmt: skip


def index_overlay(base: SearchIndex, *, docs: list[IndexDoc], vectors: np.ndarray, replaced: set[int],
                  change_seq: int) -> SearchIndex:  # fmt: skip
    """``base`` with ``docs`` (the current state of the changed datasets) laid over it; ``replaced`` are the
    changed dataset ids (a deleted dataset is among them but not in ``docs``)."""
    directory = Path(settings.INDEX_DIR) / f"delta-{uuid.uuid4().hex}"
    try:
        index_files_write(directory=directory, docs=docs, vectors=vectors, model_name=base.model_name, searchable=False)
        delta = SearchIndex(version=base.version, directory=directory, searchable=False)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    merged = copy.copy(base)  # shares the version's read-only arrays; every changed attribute is replaced
    live = np.ones(len(base), dtype=bool)
    gone = [base.position[i] for i in replaced if i in base.position]
    live[gone] = False
    merged.live = np.concatenate([live, np.ones(len(delta), dtype=bool)])
    for name in PER_DOC_ARRAYS:
        setattr(merged, name, np.concatenate([getattr(base, name), getattr(delta, name)]))
    merged.active = merged.active & merged.live
    if base.popularity is not None:
        # Mentions by the other records: a changed dataset keeps its prior, a new one has none yet.
        kept = [base.popularity[base.position[i]] if i in base.position else 0.0 for i in delta.ids.tolist()]
        merged.popularity = np.concatenate([base.popularity, np.asarray(kept, dtype=np.float32)])
    if base.mentions is not None:
        # The links to a changed dataset follow it to its new row; what it mentions itself waits for a rebuild.
        merged.mentions = base.mentions.moved(
            {base.position[i]: len(base) + k for k, i in enumerate(delta.ids.tolist()) if i in base.position},
            added=len(delta),
        )

    merged.sources, source_codes = _labels_merge(base.sources, delta.sources, key=lambda s: s["slug"])
    merged.publishers, publisher_codes = _labels_merge(base.publishers, delta.publishers, key=lambda p: p["slug"])
    merged.geographies, geo_codes = _labels_merge(base.geographies, delta.geographies, key=str)
    merged.licences_vocab, licence_codes = _labels_merge(base.licences_vocab, delta.licences_vocab, key=str)
    merged.source = _codes_stack(base.source, delta.source, source_codes)
    merged.publisher = _codes_stack(base.publisher, delta.publisher, publisher_codes)
    merged.geography = _codes_stack(base.geography, delta.geography, geo_codes)
    merged.licence = _codes_stack(base.licence, delta.licence, licence_codes)
    for field, vocab_name in (("formats", "formats_vocab"), ("themes", "themes_vocab"), ("columns", "columns_vocab"),
                              ("tasks", "tasks_vocab"), ("modalities", "modalities_vocab")):  # fmt: skip
        vocab, codes = _labels_merge(getattr(base, vocab_name), getattr(delta, vocab_name), key=str)
        setattr(merged, vocab_name, vocab)
        setattr(merged, field, _multi_stack(getattr(base, field), getattr(delta, field), codes, len(vocab)))
        if field == "formats":
            merged.own_formats = _multi_stack(base.own_formats, delta.own_formats, codes, len(vocab))
    merged.column_keys = [*base.column_keys, *(column_key(c) for c in merged.columns_vocab[len(base.column_keys) :])]
    merged.titles = [*base.titles, *delta.titles]
    merged.embeddings = StackedVectors(base.embeddings, delta.embeddings)
    merged.lexical = StackedLexical(base.lexical, DeltaLexical(docs, base.lexical))
    merged.position = ChainMap({int(d): len(base) + j for j, d in enumerate(delta.ids.tolist())}, base.position)
    merged.lookups_index()
    merged.change_seq = change_seq
    merged.build_id = f"{base.build_id}+{change_seq}"
    for cached in ("signals", "family_members"):
        merged.__dict__.pop(cached, None)
    return merged
