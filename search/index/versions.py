"""Index versions: publishing a new one, and the per-process copy of the current one.

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
from datetime import datetime
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from catalog.models import Dataset, DatasetFamily, Publisher, Source
from catalog.previews import column_names_by_dataset
from search.index.delta import index_overlay
from search.index.documents import IndexDoc, family_fields_fill, index_doc_from_dataset
from search.index.files import index_files_write
from search.index.loaded import SearchIndex
from search.index.snapshots import snapshot_restore, snapshot_save, snapshot_version_set, snapshots_prune
from search.metrics import set_index
from search.models import DatasetEmbedding, IndexChange, IndexState

logger = logging.getLogger(__name__)

KEEP_VERSIONS = 3

_lock = threading.Lock()
_current: SearchIndex | None = None  # the version with the logged changes laid over it
_base: SearchIndex | None = None  # the version as built
_checked_at = 0.0


def delta_max() -> int:
    """The most changed datasets a delta holds; past it processes serve the version until the compaction
    (queued past ``SEARCH_DELTA_COMPACT_AT`` changes) publishes the next one."""
    return 2 * int(settings.SEARCH_DELTA_COMPACT_AT)


def version_dir(version: int) -> Path:
    return Path(settings.INDEX_DIR) / f"v{version}"


def _state_row() -> dict | None:
    return (
        IndexState.objects.filter(pk=1)
        .values("version", "path", "built_at", "build_id", "base_seq", "change_seq")
        .first()
    )


def current_index(*, force_check: bool = False) -> SearchIndex | None:
    """This process's index: the current version (reloaded when IndexState names a newer one) with the
    changes logged since its build laid over it (``search.index.delta``). Checked at most once every
    ``SEARCH_INDEX_CHECK_SECONDS``. None when no index has been built yet."""
    interval = float(settings.SEARCH_INDEX_CHECK_SECONDS)
    current = _current
    if current is not None and not force_check:
        if time.monotonic() - _checked_at < interval:
            return current
        # While another thread of this process checks (and maybe lays thousands of changes over the
        # version), the others keep serving the index they have rather than queue behind it.
        if not _lock.acquire(blocking=False):
            return current
        try:
            return _check(interval, force_check=False)
        finally:
            _lock.release()
    with _lock:
        return _check(interval, force_check=force_check)


def _check(interval: float, *, force_check: bool) -> SearchIndex | None:
    """Bring this process's index up to the state row (called with ``_lock`` held)."""
    global _current, _base, _checked_at
    if _current is not None and not force_check and time.monotonic() - _checked_at < interval:
        return _current
    row = _state_row()
    _checked_at = time.monotonic()
    if not row or not row["version"]:
        _current = _base = None
        return None
    base = _base_load(row)
    if base is None:
        return _current  # keep serving the last good index (if this process has one) rather than nothing
    same_base, _base = base is _base, base
    change_seq = max(row["change_seq"], row["base_seq"])
    if same_base and _current is not None and _current.change_seq == change_seq:
        return _current
    _current = _with_changes(base, base_seq=row["base_seq"], change_seq=change_seq)
    set_index(version=_current.version, size=len(_current))
    return _current


def index_refresh_if_loaded() -> None:
    """Check the state now if this process searches (the process that logged a change sees it at once)."""
    if _current is not None:
        current_index(force_check=True)


def _base_load(row: dict) -> SearchIndex | None:
    """The version ``row`` names, as built (this process's copy when it has it)."""
    # The build id tells apart two builds that got the same number (a restored or reset database).
    if _base is not None and (_base.version, _base.build_id) == (row["version"], row["build_id"]):
        return _base
    directory = version_dir(row["version"])
    if _build_id_on_disk(directory) != row["build_id"]:
        _version_fetch(row["version"], build_id=row["build_id"])  # built on another host (or not kept here)
    started = time.perf_counter()
    try:
        loaded = _load_verified(row["version"], directory, build_id=row["build_id"])
    except Exception:
        logger.exception("index v%s cannot be loaded, even rebuilt from the database", row["version"])
        return None
    loaded.change_seq = row["base_seq"]
    logger.info("loaded search index v%s (%s documents) in %.0f ms", loaded.version, len(loaded),
                (time.perf_counter() - started) * 1000)  # fmt: skip
    return loaded


def _with_changes(base: SearchIndex, *, base_seq: int, change_seq: int) -> SearchIndex:
    """``base`` with the changes logged after its build (``base_seq``) up to ``change_seq`` laid over it;
    ``base`` itself when there are none, or too many (a compaction is on its way)."""
    if change_seq <= base_seq:
        return base
    changes = IndexChange.objects.filter(id__gt=base_seq, id__lte=change_seq)
    last = changes.order_by("-id").values("created_at").first()
    limit = delta_max()
    ids = set(changes.values_list("dataset_id", flat=True).distinct()[: limit + 1])
    if len(ids) > limit:
        logger.warning("index v%s: %s+ changed datasets, more than a delta holds; serving the version until the "
                       "compaction publishes the next one", base.version, limit)  # fmt: skip
        return base
    started = time.perf_counter()
    try:
        docs, vectors, _, _, _ = _collect_from_db(ids=ids)
        overlay = index_overlay(base, docs=docs, vectors=vectors, replaced=ids, change_seq=change_seq)
    except Exception:
        logger.exception("index v%s: the changes up to %s could not be laid over it", base.version, change_seq)
        return _current if _current is not None and _current.version == base.version else base
    overlay.changes_at = last["created_at"] if last else None
    logger.info("index v%s + %s changed datasets (changes to %s) in %.0f ms", base.version, len(ids), change_seq,
                (time.perf_counter() - started) * 1000)  # fmt: skip
    return overlay


class IndexCorrupt(Exception):
    """An index version's files are unreadable or disagree with each other."""


def _verify(index: SearchIndex) -> None:
    """Touch every structure a search reads, so broken files fail here rather than in a search."""
    n = len(index.ids)
    sizes = {"embeddings": index.embeddings.shape[0], "titles": len(index.titles), "active": len(index.active)}
    sizes["lexical"] = index.lexical.size
    if any(size != n for size in sizes.values()) or index.formats.indptr.shape[0] != n + 1:
        raise IndexCorrupt(f"sizes disagree: {n} ids, {sizes}")
    if n:
        # Rows spread over the whole matrix: noise written over the files shows as non-numbers in some of them.
        sample = np.unique(np.linspace(0, n - 1, num=min(n, 256)).astype(np.int64))
        rows = np.asarray(index.embeddings[sample], dtype=np.float32)
        if rows.shape[1] == 0 or not np.isfinite(rows).all():
            raise IndexCorrupt("embeddings unreadable")
        if not np.isfinite(index.lexical.scores(index.titles[0] or "data")).all():
            raise IndexCorrupt("lexical scores unreadable")


def _load_verified(version: int, directory: Path, *, build_id: str) -> SearchIndex:
    """Load and check a version; a broken one is moved aside, restored from its snapshot and loaded again.
    When the snapshot fails too (broken as well, or written by an older release in a file format this one no
    longer reads), the version is built from the database (the source of truth) and its snapshot replaced, so
    the other nodes restore the new files. Raises when even the rebuilt copy fails."""
    try:
        return _verified(version, directory)
    except Exception as exc:
        logger.error("index v%s is corrupt (%s: %s); rebuilding it from the database", version,
                     exc.__class__.__name__, exc)  # fmt: skip
    _discard(directory)
    _version_fetch(version, build_id=build_id)
    try:
        return _verified(version, directory)
    except Exception as exc:
        logger.error("index v%s: its snapshot does not load either (%s: %s); building it from the database here",
                     version, exc.__class__.__name__, exc)  # fmt: skip
    _discard(directory)
    _materialise(version, build_id=build_id)
    snapshot_save(version=version, build_id=build_id, directory=directory)
    return _verified(version, directory)


def _verified(version: int, directory: Path) -> SearchIndex:
    index = SearchIndex(version=version, directory=directory)
    _verify(index)
    return index


def index_failed(index: SearchIndex) -> None:
    """A search failed inside ``index``'s files: check it (and rebuild it) on the next call."""
    global _current, _base, _checked_at
    with _lock:
        if _current is index or _base is index:
            _current, _base, _checked_at = None, None, 0.0
    try:
        _verify(index)
        return
    except Exception:
        logger.error("index v%s failed a search and its check: it is rebuilt on the next load", index.version)
    # Another process may have rebuilt the files already: only a copy that still fails is removed.
    try:
        _verify(SearchIndex(version=index.version, directory=index.directory))
    except Exception:
        _discard(index.directory)


def _discard(directory: Path) -> None:
    """Remove a broken version directory (renamed aside first, so no reader sees it half deleted)."""
    broken = directory.with_name(f"{directory.name}.corrupt-{uuid.uuid4().hex[:8]}")
    try:
        directory.rename(broken)
    except OSError:
        shutil.rmtree(directory, ignore_errors=True)
    shutil.rmtree(broken, ignore_errors=True)


def forget_current_index() -> None:
    """Drop this process's cached index so the next call re-reads IndexState (tests, after a build)."""
    global _current, _base, _checked_at
    with _lock:
        _current = _base = None
        _checked_at = 0.0


def _collect_from_db(*, ids: set[int] | None = None) -> tuple[list[IndexDoc], np.ndarray, list[dict], list[dict], str]:
    """Every embedded dataset as an index document with its vector; with ``ids``, those datasets and the
    other members of their families (whose shared fields they change), for a delta."""
    model_name = settings.EMBEDDING_MODEL
    embeddings = DatasetEmbedding.objects.filter(model_name=model_name)
    if ids is not None:
        families = Dataset.objects.filter(pk__in=ids, family__isnull=False).values("family")
        ids = ids | set(Dataset.objects.filter(family__in=families).values_list("pk", flat=True))
        embeddings = embeddings.filter(dataset_id__in=ids)
    vectors_by_id: dict[int, bytes] = dict(embeddings.values_list("dataset_id", "vector"))
    docs: list[IndexDoc] = []
    rows: list[bytes] = []
    qs = (
        Dataset.objects.filter(pk__in=list(vectors_by_id))
        .select_related("source", "publisher")
        .prefetch_related("tags")
        .order_by("pk")
    )
    columns = column_names_by_dataset(dataset_ids=None if ids is None else list(ids))
    for dataset in qs.iterator(chunk_size=2000):
        doc = index_doc_from_dataset(dataset)
        doc.columns = columns.get(dataset.pk, [])
        docs.append(doc)
        rows.append(vectors_by_id[dataset.pk])
    family_fields_fill(docs, series_ids=set(DatasetFamily.objects.filter(kind="series").values_list("pk", flat=True)))
    dim = len(rows[0]) // 4 if rows else 0
    vectors = np.frombuffer(b"".join(rows), dtype="<f4").reshape(len(rows), dim) if rows else np.zeros((0, 384))
    sources = list(Source.objects.values("slug", "name", "country", "kind"))
    publishers = list(Publisher.objects.values("slug", "name"))
    return docs, vectors, sources, publishers, model_name


def _build_id_on_disk(directory: Path) -> str | None:
    try:
        return json.loads((directory / "vocab.json").read_text()).get("build_id", "")
    except (OSError, ValueError):
        return None


def _version_fetch(version: int, *, build_id: str) -> None:
    """Put build ``build_id`` of ``version`` into this host's INDEX_DIR: restored from its snapshot, or, for a
    version published without one (before snapshots existed), built from the database here."""
    target = version_dir(version)
    if target.exists() and _build_id_on_disk(target) != build_id:
        _discard(target)
    if target.exists():
        return
    started = time.perf_counter()
    if snapshot_restore(build_id=build_id, target=target):
        logger.info("index v%s restored from its snapshot in %.1f s", version, time.perf_counter() - started)
        return
    logger.warning("index v%s has no snapshot; building it from the database on this host", version)
    _materialise(version, build_id=build_id)


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
    *,
    docs: list[IndexDoc],
    vectors: np.ndarray,
    model_name: str,
    snapshot_at: datetime | None = None,
    change_seq: int | None = None,
    **known,
) -> int:
    """Write a new index version and make it current; returns the version number. ``change_seq``: the
    newest logged change the documents already reflect (the log up to it is pruned)."""

    Path(settings.INDEX_DIR).mkdir(parents=True, exist_ok=True)
    tmp = Path(settings.INDEX_DIR) / f"tmp-{uuid.uuid4().hex}"
    build_id = uuid.uuid4().hex
    try:
        index_files_write(directory=tmp, docs=docs, vectors=vectors, model_name=model_name, build_id=build_id, **known)
        # Saved before it is published: a node that sees the new version can always restore it.
        snapshot_save(version=0, build_id=build_id, directory=tmp)
        with transaction.atomic():
            state, _ = IndexState.objects.select_for_update().get_or_create(pk=1)
            version = state.version + 1
            while version_dir(version).exists():  # leftovers from a database that was reset
                shutil.rmtree(version_dir(version), ignore_errors=True)
            tmp.rename(version_dir(version))
            snapshot_version_set(build_id=build_id, version=version)
            state.version = version
            state.built_at = timezone.now()
            state.snapshot_at = snapshot_at or state.built_at
            state.dataset_count = len(docs)
            state.model_name = model_name
            state.path = str(version_dir(version))
            state.build_id = build_id
            if change_seq is not None:
                state.base_seq = change_seq
                state.change_seq = max(state.change_seq, change_seq)
            state.save()
            if change_seq is not None:
                IndexChange.objects.filter(id__lte=change_seq).delete()
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    _prune(keep_from=version - KEEP_VERSIONS + 1)
    snapshots_prune(keep_from=version - KEEP_VERSIONS + 1)
    current_index(force_check=True)
    return version


def index_build_from_db() -> int:
    """Build a new version from every embedded dataset (active and inactive) and publish it."""
    snapshot_at = timezone.now()
    # Read before the catalog: a change logged while the build reads it is laid over the new version too.
    change_seq = IndexChange.objects.aggregate(m=Max("id"))["m"] or 0
    docs, vectors, sources, publishers, model_name = _collect_from_db()
    return index_publish(
        docs=docs,
        vectors=vectors,
        model_name=model_name,
        snapshot_at=snapshot_at,
        change_seq=change_seq,
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
