"""Index lifecycle services: embeddings per content hash, index rebuilds, readiness.

Flow on the production stack: a catalog write calls ``search.reindex.datasets_changed`` → on commit,
its tasks embed the changed datasets (``embeddings_update``) and rebuild the index (``index_rebuild``)
→ every web process reloads the new version within about a second.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from datetime import datetime
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Max, Q

from catalog.models import Dataset
from search.embeddings import get_embedder
from search.index.documents import document_text, index_doc_from_dataset
from search.index.versions import current_index, index_build_from_db, version_dir
from search.metrics import set_index
from search.models import DatasetEmbedding, IndexChange, IndexState

logger = logging.getLogger(__name__)

REBUILD_LOCK_KEY = "search:index:rebuild-lock"
# The lock lives while its holder refreshes it: a worker killed mid-build frees it within this time,
# and the beat's catch-up (``index_catch_up``) then redoes the build.
REBUILD_LOCK_SECONDS = 20
REBUILD_LOCK_REFRESH_SECONDS = 5
DEMO_EMBEDDINGS = Path(__file__).resolve().parent / "data" / "demo_embeddings.npz"


def text_hash(text: str, model_name: str) -> str:
    return hashlib.sha256(f"{model_name}\n{text}".encode()).hexdigest()


def embedding_key(dataset, text: str, model_name: str) -> str:
    """What an embedding is keyed by: the catalog's content hash, or a hash of the embedded text
    for datasets that have none (created outside the catalog services)."""
    return dataset.content_hash or text_hash(text, model_name)


# --- precomputed demo embeddings ---------------------------------------------------------

_demo_lock = threading.Lock()
_demo: dict[str, np.ndarray] | None = None


def demo_embeddings() -> dict[str, np.ndarray]:
    """Precomputed vectors for the demo catalog, keyed by ``text_hash`` (empty if not shipped).

    They make the first ``make run`` fast on a CPU; a dataset whose text differs from the shipped
    one simply gets embedded by the model.
    """
    global _demo
    if _demo is None:
        with _demo_lock:
            if _demo is None:
                table: dict[str, np.ndarray] = {}
                if DEMO_EMBEDDINGS.is_file():
                    with np.load(DEMO_EMBEDDINGS) as data:
                        if str(data["model"]) == settings.EMBEDDING_MODEL:
                            keys = [k.decode() if isinstance(k, bytes) else str(k) for k in data["keys"]]
                            vectors = data["vectors"].astype(np.float32)
                            vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
                            table = dict(zip(keys, vectors, strict=True))
                _demo = table
    return _demo


def demo_embeddings_write(*, path: Path, keys: list[str], vectors: np.ndarray, model_name: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path, keys=np.array(keys, dtype="S64"), vectors=vectors.astype(np.float16), model=np.array(model_name)
    )


# --- embeddings --------------------------------------------------------------------------


def embeddings_update(*, dataset_ids: list[int] | None = None, batch_size: int | None = None) -> int:
    """Embed the given datasets (all datasets when None) whose embedding is missing or stale.

    Idempotent: a dataset whose stored key matches its content is skipped. Returns how many
    embeddings were written.
    """
    model_name = settings.EMBEDDING_MODEL
    batch_size = batch_size or max(64, settings.EMBEDDING_BATCH_SIZE * 4)
    qs = Dataset.objects.select_related("source", "publisher").prefetch_related("tags").order_by("pk")
    if dataset_ids is not None:
        qs = qs.filter(pk__in=list(dataset_ids))
    written = 0
    pending: list[tuple[int, str, str]] = []  # (dataset id, key, text)
    text_keys: dict[int, str] = {}

    def flush() -> int:
        if not pending:
            return 0
        demo = demo_embeddings()
        vectors: list[np.ndarray | None] = [demo.get(text_keys[ds_id]) for ds_id, _, _ in pending]
        missing = [i for i, v in enumerate(vectors) if v is None]
        if missing:
            encoded = get_embedder().encode_documents([pending[i][2] for i in missing])
            for i, vec in zip(missing, encoded, strict=True):
                vectors[i] = vec
        rows = [
            DatasetEmbedding(
                dataset_id=ds_id,
                content_hash=key,
                text_hash=text_keys[ds_id],
                model_name=model_name,
                dim=len(vec),
                vector=np.asarray(vec, dtype="<f4").tobytes(),
            )
            for (ds_id, key, _), vec in zip(pending, vectors, strict=True)
        ]
        DatasetEmbedding.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["dataset"],
            update_fields=["content_hash", "text_hash", "model_name", "dim", "vector", "updated_at"],
        )
        count = len(rows)
        pending.clear()
        text_keys.clear()
        return count

    ids = list(qs.values_list("pk", flat=True))
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        existing = {
            ds_id: (key, th)
            for ds_id, key, th in DatasetEmbedding.objects.filter(
                dataset_id__in=chunk, model_name=model_name
            ).values_list("dataset_id", "content_hash", "text_hash")
        }
        for dataset in qs.filter(pk__in=chunk):
            text = document_text(index_doc_from_dataset(dataset))
            key = embedding_key(dataset, text, model_name)
            th = text_hash(text, model_name)
            if existing.get(dataset.pk) == (key, th):
                continue
            text_keys[dataset.pk] = th
            pending.append((dataset.pk, key, text))
            if len(pending) >= batch_size:
                written += flush()
    written += flush()
    if written:
        logger.info("embedded %s datasets", written)
    return written


def embedded_counts() -> tuple[int, int]:
    """(active datasets, active datasets whose embedding is current)."""
    active = Dataset.objects.active()
    current = active.filter(embedding__model_name=settings.EMBEDDING_MODEL).filter(
        Q(embedding__content_hash=F("content_hash")) | Q(content_hash="")
    )
    return active.count(), current.count()


# --- the index ---------------------------------------------------------------------------


def index_rebuild(*, requested_at: datetime | None = None) -> int | None:
    """Build and publish a new index version from the embedded catalog.

    With ``requested_at``, skips the build when a build that read the catalog after that moment has
    already been published (so a burst of edits costs one or two rebuilds, not one each). Returns
    the new version, or None when skipped.
    """
    if requested_at is not None:
        state = IndexState.objects.filter(pk=1).first()
        if state and state.snapshot_at and state.snapshot_at >= requested_at:
            return None
    started = time.perf_counter()
    version = index_build_from_db()
    logger.info("search index v%s built in %.1f s", version, time.perf_counter() - started)
    return version


def index_changes_log(*, dataset_ids: list[int]) -> dict:
    """Log changed datasets (already embedded) for every process to lay over its index version at its
    next check. Returns ``{"logged", "pending", "build"}``: ``build`` says a full build is due instead
    (no version yet, or ``SEARCH_DELTA_COMPACT_AT`` changes pending since the version's build)."""
    with transaction.atomic():
        # The state row's lock orders the log: a process that sees change_seq N sees every change up to N.
        state, _ = IndexState.objects.select_for_update().get_or_create(pk=1)
        if not state.version:
            return {"logged": 0, "pending": 0, "build": True}
        IndexChange.objects.bulk_create([IndexChange(dataset_id=i) for i in dataset_ids])
        state.change_seq = IndexChange.objects.aggregate(m=Max("id"))["m"] or state.change_seq
        state.save(update_fields=["change_seq"])
    pending = changes_pending(state)
    return {"logged": len(dataset_ids), "pending": pending, "build": pending >= settings.SEARCH_DELTA_COMPACT_AT}


def changes_pending(state: IndexState) -> int:
    """How many changes are logged since the published version's build."""
    return IndexChange.objects.filter(id__gt=state.base_seq).count()


_lock_keeper: dict[str, threading.Event] = {}


def rebuild_lock_acquire() -> bool:
    """Take the one-build-at-a-time lock and keep it alive from a thread until released."""
    if not cache.add(REBUILD_LOCK_KEY, "1", timeout=REBUILD_LOCK_SECONDS):
        return False
    stop = threading.Event()
    _lock_keeper[REBUILD_LOCK_KEY] = stop

    def keep_alive() -> None:
        while not stop.wait(REBUILD_LOCK_REFRESH_SECONDS):
            cache.touch(REBUILD_LOCK_KEY, REBUILD_LOCK_SECONDS)

    threading.Thread(target=keep_alive, name="index-rebuild-lock", daemon=True).start()
    return True


def rebuild_lock_release() -> None:
    if (stop := _lock_keeper.pop(REBUILD_LOCK_KEY, None)) is not None:
        stop.set()
    cache.delete(REBUILD_LOCK_KEY)


def index_catch_up() -> dict | None:
    """The beat's check: embed and rebuild when the published index misses catalog changes (a build
    whose worker died, a change queued while the broker was down). None when current or a build runs."""
    if not index_is_stale() or not rebuild_lock_acquire():
        return None
    try:
        report = index_ensure()
    finally:
        rebuild_lock_release()
    logger.warning("index catch-up: %s", report)
    return report


def index_is_stale() -> bool:
    """Whether the published index, with the logged changes laid over it, misses catalog changes (a build
    or a change log whose worker died, a change queued while the broker was down), or is due a
    compaction, or does not exist."""
    state = IndexState.objects.filter(pk=1).first()
    if state is None or not state.version or state.model_name != settings.EMBEDDING_MODEL:
        return True
    if not (version_dir(state.version) / "vocab.json").is_file():
        return True
    pending = changes_pending(state)
    if pending >= settings.SEARCH_DELTA_COMPACT_AT:
        return True
    if (
        not pending
        and DatasetEmbedding.objects.filter(model_name=settings.EMBEDDING_MODEL).count() != state.dataset_count
    ):
        return True
    last_change = Dataset.objects.aggregate(m=Max("updated_at"))["m"]
    last_embed = DatasetEmbedding.objects.aggregate(m=Max("updated_at"))["m"]
    covered = max(t for t in (state.snapshot_at or state.built_at, _last_logged_at()) if t is not None)
    return any(t is not None and t > covered for t in (last_change, last_embed))


def _last_logged_at() -> datetime | None:
    return IndexChange.objects.order_by("-id").values_list("created_at", flat=True).first()


def index_ensure() -> dict:
    """Embed every dataset that needs it and build the index if it is missing or stale (bootstrap)."""
    started = time.perf_counter()
    written = embeddings_update()
    version = None
    if written or index_is_stale():
        version = index_rebuild()
    state = IndexState.objects.filter(pk=1).first()
    return {
        "embedded": written,
        "rebuilt": version is not None,
        "version": state.version if state else 0,
        "size": state.dataset_count if state else 0,
        "seconds": round(time.perf_counter() - started, 2),
    }


def cache_stats() -> dict:
    return {"hits": int(cache.get("search:stats:hits") or 0), "misses": int(cache.get("search:stats:misses") or 0)}


def index_health() -> dict:
    """Readiness of the search index (for /api/health and /api/health/ready)."""
    state = IndexState.objects.filter(pk=1).first()
    active, embedded = embedded_counts()
    report = {
        "ready": False,
        "version": state.version if state else 0,
        "size": state.dataset_count if state else 0,
        "embedded": embedded,
        "active": active,
        "model": settings.EMBEDDING_MODEL,
        "built_at": state.built_at.isoformat() if state and state.built_at else None,
        "cache": cache_stats(),
        "reason": "",
    }
    try:
        index = current_index()
    except Exception as exc:
        index = None
        report["reason"] = f"index could not be loaded: {exc.__class__.__name__}"
    report["loaded_version"] = index.version if index else None
    if index is None:
        report["reason"] = report["reason"] or "search index not built yet"
    elif embedded < active:
        report["reason"] = f"{active - embedded} active datasets waiting to be embedded"
    elif index_is_stale():
        # Embedded but not yet published (a rebuild pending, or one whose worker died: the beat's
        # catch-up redoes it): searches serve the older version, so the index is not "fine".
        unindexed = DatasetEmbedding.objects.filter(model_name=settings.EMBEDDING_MODEL).count() - report["size"]
        report["reason"] = "search index behind the catalog" + (
            f": {unindexed} datasets not searchable yet" if unindexed > 0 else ": catalog changes not indexed yet"
        )
    else:
        report["ready"] = True
    # A built index this process cannot load (corrupt files, not rebuilt yet) means search cannot serve.
    cannot_serve = index is None and bool(state and state.version)
    report["status"] = "ok" if report["ready"] else ("down" if cannot_serve else "degraded")
    return report


def index_unready_reason() -> str | None:
    """Why this process cannot serve searches (readiness probe), or None when it can. An index behind the
    catalog still serves (the health report says "degraded"): taking every web node out of a load
    balancer during an import would turn a lag into an outage."""
    info = index_health()
    if info.get("loaded_version"):
        return None
    return info.get("reason") or "search index not ready"


def index_gauges_refresh() -> None:
    """Report the published index's version and size to the metrics (before each scrape)."""
    info = index_health()
    set_index(version=int(info.get("version") or 0), size=int(info.get("size") or 0))
