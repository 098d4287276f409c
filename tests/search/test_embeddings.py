"""The sentence-transformers adapter, with the real all-MiniLM-L6-v2 model (offline)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from search.embeddings import DEFAULT_MODEL_NAME, Embedder, get_embedder, pick_device

pytestmark = pytest.mark.slow


def test_get_embedder_is_a_process_wide_singleton_even_across_threads():
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(get_embedder())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(e) for e in seen}) == 1
    assert seen[0] is get_embedder()
    assert seen[0].model_name == DEFAULT_MODEL_NAME
    assert seen[0].dim == 384


def test_encode_documents_returns_normalised_float32_rows():
    emb = get_embedder()
    vecs = emb.encode_documents(["Resale flat prices", "Monthly rainfall totals", ""])
    assert vecs.shape == (3, 384)
    assert vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert emb.encode_documents([]).shape == (0, 384)


def test_similar_meanings_are_closer_than_unrelated_ones():
    emb = get_embedder()
    q = emb.encode_query("how much do public housing flats sell for")
    docs = emb.encode_documents(["HDB resale flat prices", "Dengue clusters", "Monthly rainfall totals"])
    sims = docs @ q
    assert int(np.argmax(sims)) == 0
    assert sims[0] > 0.3


def test_encode_query_is_cached_and_read_only():
    emb = get_embedder()
    a = emb.encode_query("air quality in  Singapore")
    b = emb.encode_query("air quality in Singapore")
    assert a is b
    assert a.shape == (384,) and a.dtype == np.float32
    assert not a.flags.writeable
    assert emb.query_cache_info()["size"] >= 1


def test_encode_query_ignores_request_boilerplate():
    emb = get_embedder()
    plain = emb.encode_query("answers questions about paragraphs of text")
    wordy = emb.encode_query("I want to build a system that answers questions about paragraphs of text")
    assert float(plain @ wordy) > 0.999


def test_an_unloadable_configured_model_falls_back_to_the_default(tmp_path, caplog):
    emb = Embedder(str(tmp_path / "no-such-model"), device="cpu")
    assert emb.model_name == DEFAULT_MODEL_NAME
    assert emb.dim == 384
    assert "could not be loaded" in caplog.text


def test_device_selection():
    assert pick_device("cpu") == "cpu"
    assert pick_device(None) in {"cuda", "mps", "cpu"}
