"""The dense side's approximate nearest neighbours, for catalogs past ``SEARCH_ANN_THRESHOLD`` datasets.

An exact scan reads every vector for every query (about 60 ms at a million datasets on two cores). Past the
threshold a build also writes an inverted-file index (faiss ``IndexIVFScalarQuantizer``): k-means cells over
the vectors, each cell's vectors stored as 8-bit codes, ``ann.faiss`` beside ``embeddings.npy``. Every process
opens it memory-mapped (``IO_FLAG_MMAP``), so the web workers of a host share its pages. A search scans the
``NPROBE`` cells nearest the query, takes the ``ANN_CANDIDATES`` best rows and scores them exactly from the
float32 matrix, so a similarity the ranking reports is the same as with the exact scan.

Why cells and not a graph: catalogs hold many near-copies of a dataset (formats, periods, re-publications).
Near-copies fall in one cell and a probe reads the whole cell, while an HNSW graph prunes the links among
near-copies; on the bench's million synthetic datasets (~140 near-copies per real record) a usearch graph with
32 links found 0.94 of the exact top 10, these cells 0.995, in a fifth of the memory and a twentieth of the
build time.

A filter is applied inside the scan (a bitmap of the allowed rows), probing proportionally more cells when it
keeps a fraction of the catalog; when no more than ``EXACT_LIMIT`` documents are allowed, those are scanned
exactly instead.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
from pathlib import Path

import numpy as np
from django.conf import settings

logger = logging.getLogger(__name__)

ANN_FILE = "ann.faiss"
# Measured on the bench's synthetic catalog (real MiniLM vectors recombined, 1M, 4,096 cells): recall@10 after
# the exact re-scoring 0.985 with 32 cells probed, 0.995 with 64, 0.996 with 128 (bench/search_speed.py prints
# recall@10 at the size it runs).
CELLS_PER_SQRT = 4  # k-means cells: 4·√n (4,000 at a million)
TRAIN_PER_CELL = 64  # training sample per cell
NPROBE = 64  # cells scanned per query
ANN_CANDIDATES = 512  # rows taken per query (the ranking keeps at most 200 neural candidates)
EXACT_LIMIT = 50_000  # allowed documents at or below which the scan is exact


def ann_build(directory: Path, vectors: np.ndarray) -> bool:
    """Write the inverted-file index for ``vectors`` into ``directory`` when the catalog is past the threshold."""
    n = len(vectors)
    if n < int(settings.SEARCH_ANN_THRESHOLD) or n == 0:
        return False
    import faiss

    faiss.omp_set_num_threads(os.cpu_count() or 1)  # k-means and encoding use every core
    dim = vectors.shape[1]
    cells = max(1, min(round(CELLS_PER_SQRT * math.sqrt(n)), n // 39))  # faiss wants ≥ 39 points per cell
    index = faiss.IndexIVFScalarQuantizer(
        faiss.IndexFlatIP(dim), dim, cells, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    sample = vectors
    if n > cells * TRAIN_PER_CELL:
        sample = vectors[np.sort(np.random.default_rng(0).choice(n, cells * TRAIN_PER_CELL, replace=False))]
    index.train(np.ascontiguousarray(sample, dtype=np.float32))
    for start in range(0, n, 100_000):  # in slices: a memory-mapped matrix is not read whole
        index.add(np.ascontiguousarray(vectors[start : start + 100_000], dtype=np.float32))
    faiss.write_index(index, str(directory / ANN_FILE))
    return True


def ann_load(directory: Path):
    """The version's inverted-file index, memory-mapped, or None when it has none (below the threshold)."""
    path = directory / ANN_FILE
    if not path.is_file():
        return None
    import faiss

    # One query at a time needs no OpenMP team: none is started in a web process (whose workers may be forked).
    faiss.omp_set_num_threads(1)
    return faiss.read_index(str(path), faiss.IO_FLAG_MMAP)


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
    """A version's vectors (memory-mapped float32, rows read with ``RowReader``) with their inverted-file index:
    reads rows and multiplies like the matrix, and ``similarities`` answers a query from its candidates."""

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

    def candidates(self, vector: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """The index's candidates among ``mask`` (rows ascending) with their float32 vectors, or None when so
        few rows are allowed that they are scanned exactly (``similarities``)."""
        allowed = int(np.count_nonzero(mask))
        if allowed <= EXACT_LIMIT:
            return None
        rows = ann_candidates(self.ann, vector, mask, allowed=allowed)
        return rows, self[rows]


def vectors_open(directory: Path):
    """The version's vectors as the ranking reads them: the memory-mapped matrix, or, past the threshold,
    the matrix with its inverted-file index and a row reader (``AnnVectors``)."""
    path = directory / "embeddings.npy"
    vectors = np.load(path, mmap_mode="r")
    ann = ann_load(directory)
    if ann is None:
        return vectors
    return AnnVectors(vectors, ann, RowReader(path, vectors.shape, int(vectors.offset)))


def similarities(vectors: np.ndarray, vector: np.ndarray, mask: np.ndarray, *, ann=None) -> np.ndarray:
    """Cosine of ``vector`` with the rows ``mask`` allows (-inf elsewhere, and for rows the approximate index
    did not return): exact for few allowed rows or without an index, else its candidates scored exactly."""
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
    rows = ann_candidates(ann, vector, mask, allowed=allowed)
    out = np.full(n, -np.inf, dtype=np.float32)
    out[rows] = np.asarray(vectors[rows], dtype=np.float32) @ vector
    return out


def ann_candidates(ann, vector: np.ndarray, mask: np.ndarray, *, allowed: int) -> np.ndarray:
    """The ``ANN_CANDIDATES`` rows among ``mask`` nearest ``vector`` by the cells' codes, ascending. A filter
    that keeps a fraction of the catalog probes proportionally more cells."""
    import faiss

    n = len(mask)
    selector = None
    if allowed < n:
        bitmap = np.packbits(mask, bitorder="little")  # kept alive until the search returns
        selector = faiss.IDSelectorBitmap(n, faiss.swig_ptr(bitmap))
    nprobe = min(ann.nlist, math.ceil(NPROBE * n / max(allowed, 1)))
    params = faiss.SearchParametersIVF(nprobe=nprobe, sel=selector)
    _scores, labels = ann.search(vector.reshape(1, -1).astype(np.float32), ANN_CANDIDATES, params=params)
    rows = labels[0]
    return np.sort(rows[rows >= 0].astype(np.int64))
