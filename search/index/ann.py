"""The dense side's approximate nearest neighbours, for catalogs past ``SEARCH_ANN_THRESHOLD`` datasets.

An exact scan reads every vector for every query (about 130 ms at a million datasets on two cores). Past
the threshold a build also writes an HNSW graph (usearch) over half-precision copies of the vectors,
``ann.usearch`` beside ``embeddings.npy``; every process memory-maps it (``view``), so the web workers of a
host share its pages. A search takes the graph's ``ANN_CANDIDATES`` nearest rows and scores them exactly
from the float32 matrix, so a similarity the ranking reports is the same as with the exact scan.

Filters that leave few documents (a publisher, a year range) would starve the graph's candidates: when
no more than ``EXACT_LIMIT`` documents are allowed, those are scanned exactly instead.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

import numpy as np
from django.conf import settings

logger = logging.getLogger(__name__)

ANN_FILE = "ann.usearch"
# Measured on the bench's synthetic catalog (real MiniLM vectors recombined, 300k): M=16 found 0.97 of the exact
# top 10, M=32 with a wider build 0.998 (bench/search_speed.py prints recall@10 at the size it runs).
CONNECTIVITY = 32  # HNSW "M": links per node
EXPANSION_ADD = 200
EXPANSION_SEARCH = 512  # candidates the search keeps (≥ ANN_CANDIDATES)
ANN_CANDIDATES = 512  # rows taken from the graph per query (the ranking keeps at most 200 neural candidates)
EXACT_LIMIT = 50_000  # allowed documents at or below which the scan is exact


def ann_build(directory: Path, vectors: np.ndarray) -> bool:
    """Write the graph for ``vectors`` into ``directory`` when the catalog is past the threshold."""
    if len(vectors) < int(settings.SEARCH_ANN_THRESHOLD) or len(vectors) == 0:
        return False
    from usearch.index import Index

    index = Index(ndim=vectors.shape[1], metric="ip", dtype="f16", connectivity=CONNECTIVITY,
                  expansion_add=EXPANSION_ADD, expansion_search=EXPANSION_SEARCH)  # fmt: skip
    index.add(np.arange(len(vectors), dtype=np.uint64), vectors, threads=os.cpu_count() or 1)
    index.save(str(directory / ANN_FILE))
    return True


def ann_load(directory: Path):
    """The version's graph, memory-mapped, or None when it has none (below the threshold)."""
    path = directory / ANN_FILE
    if not path.is_file():
        return None
    from usearch.index import Index

    index = Index.restore(str(path), view=True)
    if index is not None:
        index.expansion_search = EXPANSION_SEARCH
    return index


class RowReader:
    """Rows of a float32 ``.npy`` matrix read with ``pread``. Gathering scattered rows through a memory map
    maps 64 KB around each one (the kernel's fault-around): 40 searches of 512 candidates made a whole 1.5 GB
    matrix resident in every web worker. Read this way, the rows come from the shared page cache and a worker
    keeps only what it asked for."""

    def __init__(self, path: Path, shape: tuple[int, int], offset: int):
        self.fd = os.open(path, os.O_RDONLY)
        self.dim = shape[1]
        self.row_bytes = 4 * shape[1]
        self.offset = offset

    def rows(self, positions: np.ndarray) -> np.ndarray:
        out = np.empty((len(positions), self.dim), dtype=np.float32)
        for j, i in enumerate(positions.tolist()):
            out[j] = np.frombuffer(os.pread(self.fd, self.row_bytes, self.offset + i * self.row_bytes), dtype="<f4")
        return out

    def __del__(self):
        with contextlib.suppress(OSError):
            os.close(self.fd)


class AnnVectors:
    """A version's vectors (memory-mapped float32, rows read with ``RowReader``) with their graph: reads rows
    and multiplies like the matrix, and ``similarities`` answers a query from the graph's candidates."""

    def __init__(self, vectors: np.ndarray, ann, reader: RowReader | None = None):
        self.vectors = vectors
        self.ann = ann
        self.reader = reader
        self.shape = vectors.shape
        self.dtype = vectors.dtype

    def __len__(self) -> int:
        return self.shape[0]

    def __matmul__(self, vector: np.ndarray) -> np.ndarray:
        return self.vectors @ vector

    def __getitem__(self, key):
        if self.reader is None:
            return self.vectors[key]
        if isinstance(key, int | np.integer):
            return self.reader.rows(np.array([int(key) % self.shape[0]]))[0]
        rows = np.asarray(key, dtype=np.int64).reshape(-1)
        return self.reader.rows(np.where(rows < 0, rows + self.shape[0], rows))

    def similarities(self, vector: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return similarities(self, vector, mask, ann=self.ann)


def vectors_open(directory: Path):
    """The version's vectors as the ranking reads them: the memory-mapped matrix, or, past the threshold,
    the matrix with its graph and a row reader (``AnnVectors``)."""
    path = directory / "embeddings.npy"
    vectors = np.load(path, mmap_mode="r")
    ann = ann_load(directory)
    if ann is None:
        return vectors
    return AnnVectors(vectors, ann, RowReader(path, vectors.shape, int(vectors.offset)))


def similarities(vectors: np.ndarray, vector: np.ndarray, mask: np.ndarray, *, ann=None) -> np.ndarray:
    """Cosine of ``vector`` with the rows ``mask`` allows (-inf elsewhere, and for rows the graph did not
    return): exact for few allowed rows or without a graph, else the graph's candidates scored exactly."""
    n = len(vectors)
    allowed = int(np.count_nonzero(mask))
    if ann is None or allowed <= EXACT_LIMIT:
        if ann is None or allowed > n // 2:
            return np.asarray(vectors @ vector, dtype=np.float32)
        out = np.full(n, -np.inf, dtype=np.float32)
        rows = np.flatnonzero(mask)
        for start in range(0, len(rows), 8192):
            chunk = rows[start : start + 8192]
            out[chunk] = np.asarray(vectors[chunk], dtype=np.float32) @ vector
        return out
    # A filter that keeps a fraction of the catalog asks the graph for proportionally more rows.
    wanted = min(n, int(ANN_CANDIDATES * max(1.0, n / max(allowed, 1))))
    matches = ann.search(vector.astype(np.float32), count=wanted)
    rows = np.sort(np.asarray(matches.keys, dtype=np.int64))
    out = np.full(n, -np.inf, dtype=np.float32)
    out[rows] = np.asarray(vectors[rows], dtype=np.float32) @ vector
    return out
