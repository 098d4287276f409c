"""The embedding vote: labelled example messages, their nearest neighbours, and related catalog topics."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from pathlib import Path

import numpy as np
from django.conf import settings

from conversation import lexicon
from conversation.nlu import normalise
from conversation.router.smalltalk import rest_text
from search.embeddings import get_embedder

log = logging.getLogger(__name__)

EXAMPLES_FILE = lexicon.DATA_DIR / "intent_examples.jsonl"
KNN_K = 7
KNN_MIN_SIM = 0.3  # below this nothing in the bank is close: keep the default (search)
RELATED_MIN_SIM = 0.35


def bank_examples() -> list[tuple[str, str, bool]]:
    """(text, intent, needs_previous_search) for the kNN vote: the hand-written prototypes plus the
    labelled examples in data/intent_examples.jsonl (the evaluation set minus its never-tuned blind2 split)."""
    examples = [(t, intent, False) for intent, phrases in lexicon.PROTOTYPES.items() for t in phrases]
    examples += [(t, "search", False) for t in lexicon.CATALOG_TOPICS]
    if EXAMPLES_FILE.exists():
        with EXAMPLES_FILE.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    examples.append((row["text"], row["intent"], row["intent"] == "refine"))
    return examples


def cached_vectors(embedder, texts: list[str], name: str = "router-bank"):
    """Encode ``texts`` once per model and text set, reusing a copy saved beside the search index as
    ``<name>-<digest>.npy`` (older copies under the same name are removed)."""
    key = hashlib.sha1("\n".join([getattr(embedder, "model_name", ""), *texts]).encode()).hexdigest()[:16]
    path = None
    try:
        if settings.configured and getattr(settings, "INDEX_DIR", None):
            path = Path(settings.INDEX_DIR) / f"{name}-{key}.npy"
            if path.exists():
                vecs = np.load(path)
                if vecs.shape[0] == len(texts):
                    return vecs
    except Exception:  # unreadable cache: encode again
        path = None
    vecs = np.asarray(embedder.encode_documents(texts), dtype="float32")
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.stem + f".{os.getpid()}.tmp.npy")
            np.save(tmp, vecs)
            os.replace(tmp, path)
            for stale in path.parent.glob(f"{name}-*.npy"):
                if stale != path and not stale.name.endswith(".tmp.npy"):
                    stale.unlink(missing_ok=True)
        except OSError:
            log.warning("intent router: could not cache example vectors at %s", path)
    return vecs


class BuiltOnce:
    """A value built on first use, once per process (thread-safe). A build that raises is logged and
    not tried again: ``get`` then returns None and the router's rules decide alone."""

    unavailable = "intent router: %s unavailable, rules only (%s)"
    _lock: threading.Lock
    _state: dict | None
    _failed: bool

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._lock, cls._state, cls._failed = threading.Lock(), None, False

    @classmethod
    def build(cls) -> dict | None:
        raise NotImplementedError

    @classmethod
    def get(cls) -> dict | None:
        if cls._state is not None or cls._failed:
            return cls._state
        with cls._lock:
            if cls._state is None and not cls._failed:
                try:
                    cls._state = cls.build()
                except Exception as exc:  # model missing or not installed
                    log.warning(cls.unavailable, cls.__name__, exc)
                    cls._failed = True
        return cls._state


class ExampleBank(BuiltOnce):
    """The example bank and related-topic vectors, encoded once per process (cached on disk)."""

    @classmethod
    def build(cls) -> dict:
        embedder = get_embedder()
        examples = bank_examples()
        # The bank holds what the rules would see: pleasantries peeled off, as for a pending message.
        texts = [(rest_text(t) or t) for t, _, _ in examples]
        related = sorted(set(lexicon.RELATED_TOPICS.values()))
        vecs = cached_vectors(embedder, texts + related)
        return {
            "embedder": embedder,
            "bank": vecs[: len(texts)],
            "labels": [intent for _, intent, _ in examples],
            "needs_previous": np.array([needs for _, _, needs in examples], dtype=bool),
            "related": related,
            "related_vecs": vecs[len(texts) :],
        }


def warm_up() -> bool:
    """Load the embedding model and the example bank now (else the first undecided message pays for
    it); returns whether the embedding vote is available."""
    return ExampleBank.get() is not None


def encode(texts: list[str]):
    """Query vectors for ``texts`` (one batch), or None without the model."""
    state = ExampleBank.get()
    if state is None or not texts:
        return None
    if len(texts) == 1:
        return np.asarray(state["embedder"].encode_query(texts[0]), dtype="float32")[None, :]
    return np.asarray(state["embedder"].encode_documents(texts), dtype="float32")


def vote(vec, has_previous_search: bool) -> tuple[str, float, float]:
    """Similarity-weighted vote of the K nearest bank examples: (intent, its weight share, top similarity).

    Refinement examples only vote when the conversation has a previous search.
    """
    state = ExampleBank.get()
    sims = state["bank"] @ vec
    if not has_previous_search:
        sims = np.where(state["needs_previous"], -1.0, sims)
    top = np.argsort(-sims)[:KNN_K]
    weights: dict[str, float] = {}
    for i in top:
        if sims[i] > 0:
            weights[state["labels"][i]] = weights.get(state["labels"][i], 0.0) + float(sims[i])
    if not weights:
        return "search", 0.0, 0.0
    best = max(weights, key=weights.get)
    return best, weights[best] / sum(weights.values()), float(sims[top[0]])


def _nearest_related(vec) -> str | None:
    state = ExampleBank.get()
    sims = state["related_vecs"] @ vec
    best = int(np.argmax(sims))
    return state["related"][best] if float(sims[best]) >= RELATED_MIN_SIM else None


# Longest keyword first: "world cup" before "cup".
_RELATED_KEYWORDS = [
    (re.compile(rf"\b{re.escape(key)}\b"), lexicon.RELATED_TOPICS[key])
    for key in sorted(lexicon.RELATED_TOPICS, key=len, reverse=True)
]


def related_query_for(text: str, vec=None) -> str | None:
    """A catalog topic related to an out-of-scope request (keyword table first, then embeddings)."""
    norm = normalise(text)
    for pattern, topic in _RELATED_KEYWORDS:
        if pattern.search(norm):
            return topic
    try:
        if vec is None:
            enc = encode([text])
            vec = None if enc is None else enc[0]
        return None if vec is None else _nearest_related(vec)
    except Exception:  # model failure at query time: no related topic
        log.exception("intent router: related topic lookup failed")
        return None
