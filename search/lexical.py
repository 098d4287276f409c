"""Lexical (BM25) candidate generation with field weighting, built on ``bm25s``.

Each field gets its own BM25 index (names = title + alternative names, description, tags,
publisher, formats, column names as words) and a query's score is the weighted sum of the per-field scores (a simple
BM25F). A hit in a short, heavily weighted field such as the title ("CIFAR-10", "HDB resale")
outweighs many mentions in a long description. Indexes are saved as ``bm25s`` arrays that can be
memory-mapped, so worker processes share them through the page cache.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import bm25s
import numpy as np

from search.ranking.documents import DocFields, clean_description
from search.text import tokenize

logger = logging.getLogger(__name__)

FORMAT_VERSION = 2  # 2: Snowball stems (search.text.stem)
K1, B = 1.2, 0.75  # bm25s's Lucene variant (a delta's documents are scored with the same formula)

# Field -> weight, chosen on the DataFinder dev half and the data.gov.sg query set: titles count as
# much as descriptions (each field is scored separately, so a short title that contains the query's
# rare word already scores high); heavier title weights made BM25 worse on descriptive queries.
FIELD_WEIGHTS: dict[str, float] = {
    "names": 1.0,
    "description": 1.0,
    "tags": 0.6,
    "publisher": 0.6,
    "formats": 0.3,
    "columns": 0.6,
}


def field_texts(doc: DocFields) -> dict[str, str]:
    """The text of each indexed field of a document."""
    return {
        "names": " ; ".join([doc.title, *doc.extra_names]),
        "description": clean_description(doc.description),
        "tags": " ; ".join(doc.tags),
        "publisher": doc.publisher or "",
        "formats": " ".join(doc.formats),
        "columns": " ; ".join(doc.columns),
    }


class LexicalSegments(Protocol):
    """What a loaded index searches with: one ``LexicalIndex``, or a version's with a delta's after it."""

    size: int

    def scores(self, query: str) -> np.ndarray: ...


class LexicalIndex:
    """Field-weighted BM25 over a fixed list of documents (doc index = position in the build list)."""

    def __init__(
        self,
        fields: dict[str, bm25s.BM25],
        size: int,
        weights: dict[str, float] | None = None,
        avgdl: dict[str, float] | None = None,
    ):
        self.fields = fields
        self.size = size
        self.weights = dict(weights or FIELD_WEIGHTS)
        # Each field's mean length in tokens (a delta scores its documents with these statistics).
        self.avgdl = dict(avgdl or {})
        self._vocabularies: dict[str, tuple[list[str], list[int]]] = {}

    def vocabulary(self, name: str) -> tuple[list[str], list[int]]:
        """Field ``name``'s tokens and in how many documents each occurs (computed once per index)."""
        if name not in self._vocabularies:
            words: list[str] = []
            counts: list[int] = []
            if (bm := self.fields.get(name)) is not None:
                indptr = bm.scores["indptr"]
                for token, tid in bm.vocab_dict.items():
                    if not token or tid + 1 >= len(indptr):  # bm25s keeps an empty token past the last posting list
                        continue
                    words.append(str(token))
                    counts.append(int(indptr[tid + 1] - indptr[tid]))
            self._vocabularies[name] = (words, counts)
        return self._vocabularies[name]

    @classmethod
    def build(cls, docs: Sequence[DocFields], *, weights: dict[str, float] | None = None) -> LexicalIndex:
        weights = dict(weights or FIELD_WEIGHTS)
        texts = [field_texts(d) for d in docs]
        fields: dict[str, bm25s.BM25] = {}
        avgdl: dict[str, float] = {}
        for name in weights:
            corpus_tokens = [tokenize(t[name]) for t in texts]
            if not any(corpus_tokens):
                continue
            bm = bm25s.BM25(k1=K1, b=B)
            bm.index(corpus_tokens, show_progress=False)
            fields[name] = bm
            avgdl[name] = sum(map(len, corpus_tokens)) / len(corpus_tokens)
        return cls(fields, len(docs), weights, avgdl)

    def document_frequency(self, name: str, token: str) -> int:
        """In how many documents ``token`` occurs in field ``name``."""
        bm = self.fields.get(name)
        if bm is None or (tid := bm.vocab_dict.get(token)) is None:
            return 0
        indptr = bm.scores["indptr"]
        return int(indptr[tid + 1] - indptr[tid])

    def scores(self, query: str) -> np.ndarray:
        """Weighted BM25 score of every document for ``query`` (float32, length ``size``)."""
        total = np.zeros(self.size, dtype=np.float32)
        tokens = tokenize(query)
        if not tokens or self.size == 0:
            return total
        # Count each distinct query token once: repeated words in a long sentence should not dominate.
        tokens = list(dict.fromkeys(tokens))
        for name, bm in self.fields.items():
            ids = bm.get_tokens_ids(tokens)
            if not ids:
                continue
            # Each token's postings straight into the total (bm25s's own scoring allocates a score array per
            # field and scatters with np.add.at: about 20 ms of a search at a million datasets, this about 2).
            # Within one token's postings a document occurs once, so a fancy-index add is exact.
            weight = np.float32(self.weights.get(name, 1.0))
            data, indices, indptr = bm.scores["data"], bm.scores["indices"], bm.scores["indptr"]
            for tid in ids:
                start, end = int(indptr[tid]), int(indptr[tid + 1])
                total[indices[start:end]] += weight * np.asarray(data[start:end], dtype=np.float32)
        return total

    def search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` doc indexes with a positive score, best first, and their scores."""
        scores = self.scores(query)
        k = min(k, self.size)
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        idx = np.argpartition(-scores, k - 1)[:k] if k < self.size else np.arange(self.size)
        idx = idx[scores[idx] > 0]
        order = np.lexsort((idx, -scores[idx]))
        idx = idx[order].astype(np.int64)
        return idx, scores[idx]

    def save(self, directory: str | os.PathLike) -> None:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        for name, bm in self.fields.items():
            bm.save(str(d / name), show_progress=False)
        meta = {"format": FORMAT_VERSION, "size": self.size, "weights": self.weights, "fields": list(self.fields),
                "avgdl": self.avgdl}  # fmt: skip
        (d / "lexical.json").write_text(json.dumps(meta))

    @classmethod
    def load(cls, directory: str | os.PathLike, *, mmap: bool = True) -> LexicalIndex:
        d = Path(directory)
        meta = json.loads((d / "lexical.json").read_text())
        if meta.get("format") != FORMAT_VERSION:
            raise ValueError(f"unsupported lexical index format {meta.get('format')!r} in {d}")
        fields = {
            name: bm25s.BM25.load(str(d / name), mmap=mmap, show_progress=False, verbosity=0) for name in meta["fields"]
        }
        return cls(fields, int(meta["size"]), meta["weights"], meta.get("avgdl"))
