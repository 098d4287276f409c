"""The router's learned arbiter: a logistic regression over sentence embeddings.

It is trained on every labelled message the router has (the kNN example bank: prototypes, catalog topics,
``data/intent_examples.jsonl``; and the larger ``data/intent_training.jsonl``), once per process, and the
fitted weights are cached beside the search index keyed by the model and the training texts. The rules
decide what they are sure of; the arbiter settles what they leave open and may overrule a *soft* rule
("asks for data" fires on "any data scientist jobs open?") when it is confident.

A linear model over the embedding generalises to unseen phrasing far better than a vote of the seven
nearest examples: it weighs every training message, not the few that happen to be nearest.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings

from conversation import lexicon
from conversation.router import knn
from conversation.router.smalltalk import rest_text

log = logging.getLogger(__name__)

TRAINING_FILE = lexicon.DATA_DIR / "intent_training.jsonl"
REGULARISATION_C = 16.0  # inverse L2 strength; chosen on the blind set's dev half
PREVIOUS_SEARCH_WEIGHT = 1.0  # the "a search is on screen" feature, beside the unit-length embedding


@dataclass(frozen=True)
class Prediction:
    intent: str
    probability: float
    probabilities: dict[str, float]


def training_examples() -> list[tuple[str, str, bool]]:
    """(text, intent, has_previous_search): the kNN bank (a refinement example implies a previous search)
    plus the training file."""
    examples = list(knn.bank_examples())
    if TRAINING_FILE.exists():
        with TRAINING_FILE.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    examples.append((row["text"], row["intent"], bool(row["has_previous_search"])))
    return examples


def _features(vecs: np.ndarray, previous: np.ndarray) -> np.ndarray:
    return np.hstack([vecs, (previous.astype("float32") * PREVIOUS_SEARCH_WEIGHT)[:, None]])


class IntentModel(knn.BuiltOnce):
    """The fitted arbiter, built once per process (None when the embedding model is unavailable)."""

    @classmethod
    def build(cls) -> dict | None:
        bank = knn.ExampleBank.get()
        if bank is None:
            return None
        examples = training_examples()
        texts = [(rest_text(t) or t) for t, _, _ in examples]
        labels = np.array([intent for _, intent, _ in examples])
        previous = np.array([prev for _, _, prev in examples], dtype=bool)
        digest = hashlib.sha1(
            "\n".join([getattr(bank["embedder"], "model_name", ""), str(REGULARISATION_C), *texts, *labels]).encode()
        ).hexdigest()[:16]
        cached = _load_cached(digest)
        if cached is not None:
            return cached
        vecs = knn.cached_vectors(bank["embedder"], texts, name="router-training")
        # Imported here: scikit-learn takes about a second to import and is needed only to fit, once per
        # training set (the fitted weights are cached and applied with numpy).
        from sklearn.linear_model import LogisticRegression

        clf = LogisticRegression(C=REGULARISATION_C, max_iter=3000, class_weight="balanced")
        clf.fit(_features(vecs, previous), labels)
        state = {"classes": [str(c) for c in clf.classes_], "coef": clf.coef_.astype("float32"),
                 "intercept": clf.intercept_.astype("float32")}  # fmt: skip
        _save_cached(digest, state)
        return state


def _cache_path(digest: str) -> Path | None:
    if not (settings.configured and getattr(settings, "INDEX_DIR", None)):
        return None
    return Path(settings.INDEX_DIR) / f"router-model-{digest}.npz"


def _load_cached(digest: str) -> dict | None:
    path = _cache_path(digest)
    if path is None or not path.exists():
        return None
    try:
        with np.load(path) as data:
            return {"classes": [str(c) for c in data["classes"]], "coef": data["coef"], "intercept": data["intercept"]}
    except Exception:  # unreadable: fit again
        return None


def _save_cached(digest: str, state: dict) -> None:
    path = _cache_path(digest)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.stem + f".{os.getpid()}.tmp.npz")
        np.savez(tmp, classes=np.array(state["classes"]), coef=state["coef"], intercept=state["intercept"])
        os.replace(tmp, path)
        for stale in path.parent.glob("router-model-*.npz"):
            if stale != path and ".tmp." not in stale.name:
                stale.unlink(missing_ok=True)
    except OSError:
        log.warning("intent router: could not cache the arbiter at %s", path)


def predict(vec: np.ndarray, has_previous_search: bool) -> Prediction | None:
    """The arbiter's reading of one embedded message; refinement is impossible without a previous search."""
    state = IntentModel.get()
    if state is None:
        return None
    x = _features(np.asarray(vec, dtype="float32")[None, :], np.array([has_previous_search]))[0]
    logits = state["coef"] @ x + state["intercept"]
    logits = logits - logits.max()
    probs = np.exp(logits)
    classes = state["classes"]
    if not has_previous_search and "refine" in classes:
        probs[classes.index("refine")] = 0.0
    probs = probs / probs.sum()
    best = int(np.argmax(probs))
    return Prediction(classes[best], float(probs[best]), {c: float(p) for c, p in zip(classes, probs, strict=True)})
