"""The on-disk, versioned search index and the per-process copy of it.

A version lives in ``settings.INDEX_DIR / f"v{N}"``:

- ``embeddings.npy``  float32 (n, dim), L2-normalised; opened with ``mmap_mode="r"`` so every
  gunicorn worker on a host shares the same page-cache pages;
- ``meta.npz``        per-document arrays (ids, source, publisher, years, status, signals, and
  CSR-encoded formats/themes);
- ``vocab.json``      the labels those arrays index into (sources, publishers, formats, ...);
- ``lexical/``        the BM25 index (``search.lexical.LexicalIndex``).

``IndexState`` (pk=1) names the current version. Each process checks it at most once every
``SEARCH_INDEX_CHECK_SECONDS`` and swaps in the new version when it changes, so an index built by a
Celery worker is picked up by the web workers without a restart.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

KEEP_VERSIONS = 3
NO_YEAR = -1
SINGAPORE_WORDS = ("singapore",)


@dataclass
class IndexDoc:
    """What the index stores about one dataset (built from a Dataset row or synthesised by the bench)."""

    id: int
    source_slug: str
    source_name: str
    source_country: str
    publisher_slug: str
    publisher_name: str
    title: str
    description: str
    tags: list[str]
    formats: list[str]
    themes: list[str]
    geography: str
    year_start: int | None
    year_end: int | None
    active: bool
    quality: float
    link_broken: bool
    modified: datetime | None
    source_titles: list[str] = field(default_factory=list)  # e.g. the paper that introduced a dataset

    @property
    def is_singapore(self) -> bool:
        text = f"{self.source_country} {self.geography}".lower()
        return any(word in text for word in SINGAPORE_WORDS)


def freshness_of(modified: datetime | None, *, now: datetime | None = None) -> float:
    """The ranking's freshness (1 = modified today, decaying with age, 0 when unknown)."""
    from search.ranking import freshness_from_age

    if modified is None:
        return freshness_from_age(None)
    now = now or datetime.now(UTC)
    return freshness_from_age((now - modified).total_seconds() / 86400)


def doc_fields(doc: IndexDoc):
    """The fields the ranking helper's lexical index and document text are built from."""
    from search.ranking import DocFields

    extra = [*doc.themes]
    if doc.geography:
        extra.append(doc.geography)
    fields = {
        "title": doc.title,
        "description": doc.description,
        "tags": list(doc.tags),
        "publisher": doc.publisher_name,
        "formats": list(doc.formats),
        "extra_names": extra,
    }
    if doc.source_titles and "source_titles" in DocFields.__dataclass_fields__:
        fields["source_titles"] = list(doc.source_titles)
    return DocFields(**fields)


def document_text(doc: IndexDoc) -> str:
    from search.ranking import document_text as _document_text

    return _document_text(doc_fields(doc))


def index_doc_from_dataset(dataset) -> IndexDoc:
    """An IndexDoc for a Dataset loaded with select_related(source, publisher) and prefetched tags."""
    publisher = dataset.publisher
    return IndexDoc(
        id=dataset.pk,
        source_slug=dataset.source.slug,
        source_name=dataset.source.name,
        source_country=dataset.source.country or "",
        publisher_slug=publisher.slug if publisher else "",
        publisher_name=publisher.name if publisher else "",
        title=dataset.title,
        description=dataset.description or "",
        tags=[t.name for t in dataset.tags.all()],
        formats=[str(f).upper() for f in (dataset.formats or []) if f],
        themes=[str(t) for t in (dataset.themes or []) if t],
        geography=dataset.geographic_coverage or "",
        year_start=dataset.temporal_start.year if dataset.temporal_start else None,
        year_end=dataset.temporal_end.year if dataset.temporal_end else None,
        active=dataset.status == dataset.Status.ACTIVE,
        quality=float(dataset.quality_score or 0.0),
        link_broken=dataset.link_is_broken,
        modified=dataset.source_modified_at,
        source_titles=_source_titles(dataset.extra),
    )


def _source_titles(extra) -> list[str]:
    title = (extra or {}).get("source_paper_title") if isinstance(extra, dict) else None
    return [str(title).strip()] if title and str(title).strip() else []


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
) -> None:
    """Write one index version's files into ``directory`` (which must not exist yet).

    ``known_sources``/``known_publishers`` ({"slug","name",...}) are the valid filter values; they
    default to the ones the documents use.
    """
    from search.lexical import LexicalIndex

    if len(docs) != len(vectors):
        raise ValueError("one vector per document")
    directory.mkdir(parents=True)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    np.save(directory / "embeddings.npy", vectors)

    now = datetime.now(UTC)
    sources_vocab, source_idx = _vocab_index([d.source_slug for d in docs])
    publishers_vocab, publisher_idx = _vocab_index([d.publisher_slug for d in docs])
    geo_vocab, geo_idx = _vocab_index([d.geography.strip() for d in docs])
    formats_vocab, formats_indptr, formats_indices = _csr([d.formats for d in docs])
    themes_vocab, themes_indptr, themes_indices = _csr([d.themes for d in docs])
    source_names = {d.source_slug: d.source_name for d in docs}
    source_country = {d.source_slug: d.source_country for d in docs}
    publisher_names = {d.publisher_slug: d.publisher_name for d in docs}
    for s in known_sources or []:
        source_names.setdefault(s["slug"], s["name"])
        source_country.setdefault(s["slug"], s.get("country", ""))
    for p in known_publishers or []:
        publisher_names.setdefault(p["slug"], p["name"])
    modified = np.array(
        [d.modified.timestamp() if d.modified else np.nan for d in docs],
        dtype=np.float64,
    )
    fields = [doc_fields(d) for d in docs]
    popularity = _popularity(fields)
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
        formats_indptr=formats_indptr,
        formats_indices=formats_indices,
        themes_indptr=themes_indptr,
        themes_indices=themes_indices,
    )
    vocab = {
        "model_name": model_name,
        "build_id": build_id,
        "dim": int(vectors.shape[1]) if vectors.ndim == 2 else 0,
        "count": len(docs),
        "built_at": now.isoformat(),
        # Index-local source/publisher codes first (their position is the code), then the
        # other known values, which are valid filters that simply match nothing.
        "sources": [{"slug": s, "name": source_names[s], "country": source_country.get(s, "")} for s in sources_vocab]
        + [
            {"slug": s["slug"], "name": s["name"], "country": s.get("country", "")}
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
        "titles_file": "titles.json",
    }
    (directory / "vocab.json").write_text(json.dumps(vocab))
    # Titles are kept for near-duplicate detection in "similar datasets" and for explanations.
    (directory / "titles.json").write_text(json.dumps([d.title for d in docs]))
    lexical = LexicalIndex.build(fields)
    lexical.save(directory / "lexical")


def _popularity(fields: list) -> np.ndarray:
    """The ranking's catalog popularity prior (how often other records mention a dataset by name)."""
    from search import ranking

    compute = getattr(ranking, "catalog_popularity", None)
    if compute is None or not fields:
        return np.zeros(len(fields), dtype=np.float32)
    return np.asarray(compute(fields), dtype=np.float32)


class SearchIndex:
    """One loaded index version. Read-only; safe to share between threads."""

    def __init__(self, *, version: int, directory: Path):
        from search.lexical import LexicalIndex

        self.version = version
        self.directory = Path(directory)
        self.embeddings: np.ndarray = np.load(self.directory / "embeddings.npy", mmap_mode="r")
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
        self.formats = _Multi(m["formats_indptr"], m["formats_indices"], len(self.formats_vocab))
        self.themes = _Multi(m["themes_indptr"], m["themes_indices"], len(self.themes_vocab))
        self.position = {int(doc_id): i for i, doc_id in enumerate(self.ids.tolist())}
        self.lexical = LexicalIndex.load(self.directory / "lexical")
        self.loaded_at = time.time()
        self._signals = None

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def active_count(self) -> int:
        return int(self.active.sum())

    def publisher_name(self, i: int) -> str:
        code = int(self.publisher[i])
        return self.publishers[code]["name"] if code >= 0 else ""

    def source_name(self, i: int) -> str:
        code = int(self.source[i])
        return self.sources[code]["name"] if code >= 0 else ""


@dataclass
class _Multi:
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


# --- the per-process current index -------------------------------------------------------

_lock = threading.Lock()
_current: SearchIndex | None = None
_checked_at = 0.0


def version_dir(version: int) -> Path:
    return Path(settings.INDEX_DIR) / f"v{version}"


def _state_row() -> dict | None:
    from search.models import IndexState

    return IndexState.objects.filter(pk=1).values("version", "path", "built_at", "build_id").first()


def current_index(*, force_check: bool = False) -> SearchIndex | None:
    """This process's index, reloaded when IndexState names a newer version (checked at most once
    every ``SEARCH_INDEX_CHECK_SECONDS``). None when no index has been built yet."""
    global _current, _checked_at
    interval = float(getattr(settings, "SEARCH_INDEX_CHECK_SECONDS", 1.0))
    now = time.monotonic()
    current = _current
    if current is not None and not force_check and now - _checked_at < interval:
        return current
    with _lock:
        if _current is not None and not force_check and time.monotonic() - _checked_at < interval:
            return _current
        row = _state_row()
        _checked_at = time.monotonic()
        if not row or not row["version"]:
            _current = None
            return None
        # The build id tells apart two builds that got the same number (a restored or reset database).
        if _current is not None and (_current.version, _current.build_id) == (row["version"], row["build_id"]):
            return _current
        directory = version_dir(row["version"])
        if _build_id_on_disk(directory) != row["build_id"]:
            # Another host built this version: rebuild the same content locally from the database.
            logger.info("index v%s not on this host; materialising it from the database", row["version"])
            _materialise(row["version"], build_id=row["build_id"])
        started = time.perf_counter()
        _current = SearchIndex(version=row["version"], directory=directory)
        logger.info(
            "loaded search index v%s (%s documents) in %.0f ms",
            _current.version,
            len(_current),
            (time.perf_counter() - started) * 1000,
        )
        from search.metrics import set_index

        set_index(version=_current.version, size=len(_current))
        return _current


def forget_current_index() -> None:
    """Drop this process's cached index so the next call re-reads IndexState (tests, after a build)."""
    global _current, _checked_at
    with _lock:
        _current = None
        _checked_at = 0.0


def _collect_from_db() -> tuple[list[IndexDoc], np.ndarray, list[dict], list[dict], str]:
    from catalog.models import Dataset, Publisher, Source
    from search.models import DatasetEmbedding

    model_name = settings.EMBEDDING_MODEL
    vectors_by_id: dict[int, bytes] = dict(
        DatasetEmbedding.objects.filter(model_name=model_name).values_list("dataset_id", "vector")
    )
    docs: list[IndexDoc] = []
    rows: list[bytes] = []
    qs = (
        Dataset.objects.filter(pk__in=list(vectors_by_id))
        .select_related("source", "publisher")
        .prefetch_related("tags")
        .order_by("pk")
    )
    for dataset in qs.iterator(chunk_size=2000):
        docs.append(index_doc_from_dataset(dataset))
        rows.append(vectors_by_id[dataset.pk])
    dim = len(rows[0]) // 4 if rows else 0
    vectors = np.frombuffer(b"".join(rows), dtype="<f4").reshape(len(rows), dim) if rows else np.zeros((0, 384))
    sources = list(Source.objects.values("slug", "name", "country"))
    publishers = list(Publisher.objects.values("slug", "name"))
    return docs, vectors, sources, publishers, model_name


def _build_id_on_disk(directory: Path) -> str | None:
    try:
        return json.loads((directory / "vocab.json").read_text()).get("build_id", "")
    except (OSError, ValueError):
        return None


def _materialise(version: int, *, build_id: str) -> None:
    docs, vectors, sources, publishers, model_name = _collect_from_db()
    tmp = Path(settings.INDEX_DIR) / f"tmp-{uuid.uuid4().hex}"
    index_files_write(
        directory=tmp,
        docs=docs,
        vectors=vectors,
        model_name=model_name,
        known_sources=sources,
        known_publishers=publishers,
        build_id=build_id,
    )
    target = version_dir(version)
    if target.exists() and _build_id_on_disk(target) != build_id:
        shutil.rmtree(target, ignore_errors=True)
    try:
        tmp.rename(target)
    except OSError:  # another process won the race
        shutil.rmtree(tmp, ignore_errors=True)


def index_publish(
    *, docs: list[IndexDoc], vectors: np.ndarray, model_name: str, snapshot_at: datetime | None = None, **known
) -> int:
    """Write a new index version and make it current; returns the version number."""
    from search.models import IndexState

    Path(settings.INDEX_DIR).mkdir(parents=True, exist_ok=True)
    tmp = Path(settings.INDEX_DIR) / f"tmp-{uuid.uuid4().hex}"
    build_id = uuid.uuid4().hex
    try:
        index_files_write(directory=tmp, docs=docs, vectors=vectors, model_name=model_name, build_id=build_id, **known)
        with transaction.atomic():
            state, _ = IndexState.objects.select_for_update().get_or_create(pk=1)
            version = state.version + 1
            while version_dir(version).exists():  # leftovers from a database that was reset
                shutil.rmtree(version_dir(version), ignore_errors=True)
            tmp.rename(version_dir(version))
            state.version = version
            state.built_at = timezone.now()
            state.snapshot_at = snapshot_at or state.built_at
            state.dataset_count = len(docs)
            state.model_name = model_name
            state.path = str(version_dir(version))
            state.build_id = build_id
            state.save()
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    _prune(keep_from=version - KEEP_VERSIONS + 1)
    current_index(force_check=True)
    return version


def index_build_from_db() -> int:
    """Build a new version from every embedded dataset (active and inactive) and publish it."""
    snapshot_at = timezone.now()
    docs, vectors, sources, publishers, model_name = _collect_from_db()
    return index_publish(
        docs=docs,
        vectors=vectors,
        model_name=model_name,
        snapshot_at=snapshot_at,
        known_sources=sources,
        known_publishers=publishers,
    )


def _prune(*, keep_from: int) -> None:
    # Deleting a version another worker still has mapped is safe on POSIX: its pages stay valid.
    root = Path(settings.INDEX_DIR)
    for child in root.glob("v*"):
        try:
            number = int(child.name[1:])
        except ValueError:
            continue
        if number < keep_from:
            shutil.rmtree(child, ignore_errors=True)
