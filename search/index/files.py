"""One index version's files in ``settings.INDEX_DIR / f"v{N}"``:

- ``embeddings.npy``  float32 (n, dim), L2-normalised; opened with ``mmap_mode="r"`` so every
  gunicorn worker on a host shares the same page-cache pages;
- ``ann.faiss``       past ``SEARCH_ANN_THRESHOLD`` documents, their inverted-file index (``search.index.ann``);
- ``meta.npz``        per-document arrays (ids, source, publisher, years, status, signals, dataset
  family, series periods, licence, and CSR-encoded formats/themes/columns/tasks/modalities, formats
  also as the family's union);
- ``vocab.json``      the labels those arrays index into (sources, publishers, formats, ...);
- ``titles.json``     the titles, for near-duplicate checks;
- ``lexical/``        the BM25 index (``search.lexical.LexicalIndex``).

``index_files_write`` writes them; ``search.index.loaded.SearchIndex`` reads them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from catalog.columns import column_key
from search.index.ann import ann_build
from search.index.documents import IndexDoc, doc_fields, freshness_of
from search.lexical import LexicalIndex
from search.ranking.popularity import mention_links, popularity_from_mentions

NO_YEAR = -1


def _csr(values_per_doc: list[list[str]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    vocab: dict[str, int] = {}
    indptr = np.zeros(len(values_per_doc) + 1, dtype=np.int64)
    indices: list[int] = []
    for i, values in enumerate(values_per_doc):
        seen = set()
        for v in values:
            j = vocab.setdefault(v, len(vocab))
            if j not in seen:
                seen.add(j)
                indices.append(j)
        indptr[i + 1] = len(indices)
    return list(vocab), indptr, np.asarray(indices, dtype=np.int32)


def _vocab_index(values: list[str]) -> tuple[list[str], np.ndarray]:
    vocab: dict[str, int] = {}
    out = np.empty(len(values), dtype=np.int32)
    for i, v in enumerate(values):
        out[i] = -1 if not v else vocab.setdefault(v, len(vocab))
    return list(vocab), out


def index_files_write(
    *,
    directory: Path,
    docs: list[IndexDoc],
    vectors: np.ndarray,
    model_name: str,
    known_sources: list[dict] | None = None,
    known_publishers: list[dict] | None = None,
    build_id: str = "",
    searchable: bool = True,
) -> None:
    """Write one index version's files into ``directory`` (which must not exist yet).

    ``searchable=False`` leaves out the BM25 index and the nearest-neighbour index: a delta's documents
    (``search.index.delta``) are searched through the version's own.

    ``known_sources``/``known_publishers`` ({"slug","name",...}) are the valid filter values; they
    default to the ones the documents use.
    """
    if len(docs) != len(vectors):
        raise ValueError("one vector per document")
    directory.mkdir(parents=True)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    np.save(directory / "embeddings.npy", vectors)
    if searchable:
        ann_build(directory, vectors)

    now = datetime.now(UTC)
    sources_vocab, source_idx = _vocab_index([d.source_slug for d in docs])
    publishers_vocab, publisher_idx = _vocab_index([d.publisher_slug for d in docs])
    geo_vocab, geo_idx = _vocab_index([d.geography.strip() for d in docs])
    # A family carries every member's formats: filters and facets see the family, counted once.
    formats_vocab, formats_indptr, formats_indices = _csr([d.family_formats or d.formats for d in docs])
    # Each member's own formats too: excluding a format drops the members that only offer it, so the
    # family is led by a member in another format (codes in the same vocabulary, a superset of these).
    code = {name: i for i, name in enumerate(formats_vocab)}
    own_indptr = np.zeros(len(docs) + 1, dtype=np.int64)
    own_codes: list[int] = []
    for i, d in enumerate(docs):
        own_codes.extend(sorted({code[f] for f in d.formats if f in code}))
        own_indptr[i + 1] = len(own_codes)
    own_indices = np.asarray(own_codes, dtype=np.int32)
    themes_vocab, themes_indptr, themes_indices = _csr([d.themes for d in docs])
    columns_vocab, columns_indptr, columns_indices = _csr([d.columns for d in docs])
    licences_vocab, licence_idx = _vocab_index([d.licence for d in docs])
    tasks_vocab, tasks_indptr, tasks_indices = _csr([d.tasks for d in docs])
    modalities_vocab, modalities_indptr, modalities_indices = _csr([d.modalities for d in docs])
    source_names = {d.source_slug: d.source_name for d in docs}
    source_country = {d.source_slug: d.source_country for d in docs}
    source_kind = {d.source_slug: d.source_kind for d in docs}
    publisher_names = {d.publisher_slug: d.publisher_name for d in docs}
    for s in known_sources or []:
        source_names.setdefault(s["slug"], s["name"])
        source_country.setdefault(s["slug"], s.get("country", ""))
        source_kind.setdefault(s["slug"], s.get("kind", ""))
    for p in known_publishers or []:
        publisher_names.setdefault(p["slug"], p["name"])
    modified = np.array(
        [d.modified.timestamp() if d.modified else np.nan for d in docs],
        dtype=np.float64,
    )
    fields = [doc_fields(d) for d in docs]
    links = mention_links(fields, family=[d.family for d in docs])
    popularity = np.asarray(popularity_from_mentions(links.counts()), dtype=np.float32)
    np.savez(
        directory / "meta.npz",
        ids=np.array([d.id for d in docs], dtype=np.int64),
        source=source_idx,
        publisher=publisher_idx,
        geography=geo_idx,
        year_start=np.array([NO_YEAR if d.year_start is None else d.year_start for d in docs], dtype=np.int16),
        year_end=np.array([NO_YEAR if d.year_end is None else d.year_end for d in docs], dtype=np.int16),
        active=np.array([d.active for d in docs], dtype=bool),
        quality=np.array([d.quality for d in docs], dtype=np.float32),
        link_broken=np.array([d.link_broken for d in docs], dtype=bool),
        freshness=np.array([freshness_of(d.modified, now=now) for d in docs], dtype=np.float32),
        singapore=np.array([d.is_singapore for d in docs], dtype=bool),
        modified=modified,
        popularity=popularity,
        mentions_indptr=links.indptr,
        mentions_indices=links.indices,
        family=np.array([d.family for d in docs], dtype=np.int64),
        family_series=np.array([d.family_series for d in docs], dtype=bool),
        period_start=np.array([NO_YEAR if d.period_start is None else d.period_start for d in docs], dtype=np.int16),
        period_end=np.array([NO_YEAR if d.period_end is None else d.period_end for d in docs], dtype=np.int16),
        formats_indptr=formats_indptr,
        formats_indices=formats_indices,
        own_formats_indptr=own_indptr,
        own_formats_indices=own_indices,
        themes_indptr=themes_indptr,
        themes_indices=themes_indices,
        columns_indptr=columns_indptr,
        columns_indices=columns_indices,
        licence=licence_idx,
        tasks_indptr=tasks_indptr,
        tasks_indices=tasks_indices,
        modalities_indptr=modalities_indptr,
        modalities_indices=modalities_indices,
    )
    vocab = {
        "model_name": model_name,
        "build_id": build_id,
        "dim": int(vectors.shape[1]) if vectors.ndim == 2 else 0,
        "count": len(docs),
        "built_at": now.isoformat(),
        # Index-local source/publisher codes first (their position is the code), then the
        # other known values, which are valid filters that simply match nothing.
        "sources": [
            {"slug": s, "name": source_names[s], "country": source_country.get(s, ""), "kind": source_kind.get(s, "")}
            for s in sources_vocab
        ]
        + [
            {"slug": s["slug"], "name": s["name"], "country": s.get("country", ""), "kind": s.get("kind", "")}
            for s in known_sources or []
            if s["slug"] not in set(sources_vocab)
        ],
        "publishers": [{"slug": p, "name": publisher_names[p]} for p in publishers_vocab]
        + [
            {"slug": p["slug"], "name": p["name"]}
            for p in known_publishers or []
            if p["slug"] not in set(publishers_vocab)
        ],
        "geographies": geo_vocab,
        "formats": formats_vocab,
        "themes": themes_vocab,
        "columns": columns_vocab,
        "column_keys": [column_key(c) for c in columns_vocab],
        "licences": licences_vocab,
        "tasks": tasks_vocab,
        "modalities": modalities_vocab,
        "titles_file": "titles.json",
    }
    (directory / "vocab.json").write_text(json.dumps(vocab))
    # Titles are kept for near-duplicate detection in "similar datasets" and for explanations.
    (directory / "titles.json").write_text(json.dumps([d.title for d in docs]))
    if searchable:
        LexicalIndex.build(fields).save(directory / "lexical")
