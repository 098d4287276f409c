"""The dense side's approximate nearest neighbours (search.index.ann) past SEARCH_ANN_THRESHOLD."""

from __future__ import annotations

import numpy as np
import pytest

from search import services
from search.index import ann as ann_module
from search.index import current_index
from search.index.ann import ANN_FILE, AnnVectors, ann_build, ann_load, similarities
from search.index.delta import StackedVectors
from tests.search.conftest import make_catalog


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture
def vectors() -> np.ndarray:
    # Clustered like real embeddings (topics), not uniform noise.
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(40, 32))
    return _unit(centres[rng.integers(0, 40, 6000)] + rng.normal(scale=0.6, size=(6000, 32)))


@pytest.fixture
def approximate(monkeypatch):
    """The approximate path even for these few thousand rows (it takes over past EXACT_LIMIT allowed rows)."""
    monkeypatch.setattr(ann_module, "EXACT_LIMIT", 100)


def _recall(vectors, ann, mask, queries) -> float:
    recall = []
    for q in queries:
        approx = similarities(vectors, q, mask, ann=ann)
        exact = np.where(mask, vectors @ q, -np.inf)
        top = set(np.argsort(-exact)[:10].tolist())
        found = np.isfinite(approx)
        assert found.sum() < len(vectors)  # candidates, not a scan of everything
        recall.append(len(top & set(np.argsort(-approx)[:10].tolist())) / 10)
        # The candidates are scored exactly: their similarities are the exact ones.
        np.testing.assert_allclose(approx[found], exact[found], rtol=1e-5, atol=1e-6)
        assert mask[found].all()
    return float(np.mean(recall))


def test_the_index_finds_the_exact_nearest_neighbours(tmp_path, settings, vectors, approximate):
    settings.SEARCH_ANN_THRESHOLD = 1000
    assert ann_build(tmp_path, vectors) and (tmp_path / ANN_FILE).is_file()
    ann = ann_load(tmp_path)
    queries = _unit(np.random.default_rng(4).normal(size=(50, 32)) + vectors[:50])
    assert _recall(vectors, ann, np.ones(len(vectors), dtype=bool), queries) >= 0.98


def test_a_broad_filter_is_applied_inside_the_approximate_scan(tmp_path, settings, vectors, approximate):
    settings.SEARCH_ANN_THRESHOLD = 1000
    ann_build(tmp_path, vectors)
    ann = ann_load(tmp_path)
    mask = np.random.default_rng(5).random(len(vectors)) < 0.3  # e.g. one source among several
    queries = _unit(np.random.default_rng(6).normal(size=(50, 32)) + vectors[100:150])
    assert _recall(vectors, ann, mask, queries) >= 0.98


def test_a_selective_filter_scans_its_documents_exactly(tmp_path, settings, vectors):
    settings.SEARCH_ANN_THRESHOLD = 1000
    ann_build(tmp_path, vectors)
    ann = ann_load(tmp_path)
    q = vectors[7]
    mask = np.zeros(len(vectors), dtype=bool)
    mask[::97] = True  # a filter that keeps 1% of the catalog
    sims = similarities(vectors, q, mask, ann=ann)
    np.testing.assert_allclose(sims[mask], vectors[mask] @ q, rtol=1e-6)
    assert np.isneginf(sims[~mask]).all()


def test_below_the_threshold_no_graph_is_built(tmp_path, settings, vectors):
    settings.SEARCH_ANN_THRESHOLD = len(vectors) + 1
    assert not ann_build(tmp_path, vectors)
    assert ann_load(tmp_path) is None


def test_a_delta_over_a_graph_scores_its_rows_exactly(tmp_path, settings, vectors):
    settings.SEARCH_ANN_THRESHOLD = 1000
    ann_build(tmp_path, vectors[:5000])
    stacked = StackedVectors(AnnVectors(vectors[:5000], ann_load(tmp_path)), vectors[5000:])
    q = vectors[5500]
    sims = stacked.similarities(q, np.ones(len(vectors), dtype=bool))
    assert int(np.argmax(sims)) == 5500
    np.testing.assert_allclose(sims[5000:], vectors[5000:] @ q, rtol=1e-6)


@pytest.mark.slow
def test_a_catalog_past_the_threshold_searches_through_the_graph(db, settings):
    settings.SEARCH_ANN_THRESHOLD = 5
    catalog = make_catalog()
    services.index_ensure()
    index = current_index(force_check=True)
    assert isinstance(index.embeddings, AnnVectors) and (index.directory / ANN_FILE).is_file()
    # Rows are read from the file (pread), equal to the memory-mapped matrix's.
    rows = np.array([len(index) - 1, 0, 3])
    np.testing.assert_array_equal(index.embeddings[rows], index.embeddings.vectors[rows])
    np.testing.assert_array_equal(index.embeddings[-1], index.embeddings.vectors[len(index) - 1])
    assert services.search(query="monthly rainfall").results[0].id == catalog["rain"].pk
    assert services.search(query="dengue cases").results[0].id == catalog["dengue"].pk


@pytest.mark.slow
def test_the_ranking_over_the_index_candidates_equals_the_exact_scans(db, settings, monkeypatch):
    # Past EXACT_LIMIT allowed rows the ranking works on the index's candidates alone (no pass over the
    # catalog); where the candidates hold every row (a small catalog) it must rank exactly as the full scan.
    from search.services.retrieval import base_mask, index_ranking

    settings.SEARCH_ANN_THRESHOLD = 5
    make_catalog()
    services.index_ensure()
    index = current_index(force_check=True)
    mask = base_mask(index, {})
    queries = ("monthly rainfall", "dengue cases by week", "resale flat prices", "rainfall columns station")
    exact = {q: index_ranking(index, query=q, mask=mask, similar_to=None) for q in queries}
    monkeypatch.setattr(ann_module, "EXACT_LIMIT", 0)
    assert index.embeddings.candidates(np.zeros(index.embeddings.shape[1], dtype=np.float32), mask) is not None
    for q in queries:
        approx = index_ranking(index, query=q, mask=mask, similar_to=None)
        assert approx.order.keys() == exact[q].order.keys() and approx.neural.keys() == exact[q].neural.keys()
        for got, want in ((approx.order, exact[q].order), (approx.similarity, exact[q].similarity)):
            np.testing.assert_allclose([got[i] for i in want], list(want.values()), rtol=1e-5, atol=1e-6)
