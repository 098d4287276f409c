"""The router's learned arbiter: a logistic regression over sentence embeddings.

It is trained on every labelled message the router has (the kNN example bank: prototypes, catalog topics,
``data/intent_examples.jsonl``; and the larger ``data/intent_training.jsonl``), once per process, and the
fitted weights are cached beside the search index keyed by the model and the training texts. The rules
decide what they are sure of; the arbiter settles what they leave open and may overrule a *soft* rule
("asks for data" fires on "any data scientist jobs open?") when it is confident.

A linear model over the embedding generalises to unseen phrasing far better than a vote of the seven
nearest examples: it weighs every training message, not the few that happen to be nearest. Beside the
embedding it reads the message's words and word pairs (TF-IDF, the first word marked): a sentence
embedding mostly says what a message is *about*, while intent lives in its frame ("can you ...",
"which of these", "explain ..."), and a topic alone must not decide that "bike-sharing trips" is out of scope.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings

from conversation import lexicon
from conversation.router import knn
from conversation.router.smalltalk import rest_text
from search.text import fold

log = logging.getLogger(__name__)

TRAINING_FILE = lexicon.DATA_DIR / "intent_training.jsonl"
REGULARISATION_C = 64.0  # inverse L2 strength; chosen by leave-one-writer-out cross-validation of the training file
PREVIOUS_SEARCH_WEIGHT = 1.0  # the "a search is on screen" feature, beside the unit-length embedding
LEXICAL_WEIGHT = 1.0  # the unit-length TF-IDF vector of words and word pairs, beside the embedding
LEXICAL_MIN_DF = 2  # a word or pair is a feature when at least this many training messages have it


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


def _grams(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9#']+", fold(text))
    return [*words, *(f"{a} {b}" for a, b in zip(["<s>", *words], words, strict=False))]


def _lexicon(texts: list[str]) -> tuple[dict[str, int], np.ndarray]:
    """The words and pairs that at least LEXICAL_MIN_DF training messages have, and their IDF."""
    df = Counter(g for t in texts for g in set(_grams(t)))
    terms = sorted(g for g, n in df.items() if n >= LEXICAL_MIN_DF)
    idf = np.array([math.log((1 + len(texts)) / (1 + df[g])) + 1.0 for g in terms], dtype="float32")
    return {g: i for i, g in enumerate(terms)}, idf


def _lexical(texts: list[str], vocab: dict[str, int], idf: np.ndarray) -> np.ndarray:
    out = np.zeros((len(texts), len(vocab)), dtype="float32")
    for row, text in enumerate(texts):
        for gram, n in Counter(g for g in _grams(text) if g in vocab).items():
            out[row, vocab[gram]] = (1.0 + math.log(n)) * idf[vocab[gram]]
        norm = float(np.linalg.norm(out[row]))
        if norm:
            out[row] /= norm
    return out * LEXICAL_WEIGHT


def _features(vecs: np.ndarray, previous: np.ndarray, lexical: np.ndarray) -> np.ndarray:
    return np.hstack([vecs, (previous.astype("float32") * PREVIOUS_SEARCH_WEIGHT)[:, None], lexical])


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
        params = f"C={REGULARISATION_C} lex={LEXICAL_WEIGHT} df={LEXICAL_MIN_DF}"
        digest = hashlib.sha1(
            "\n".join([getattr(bank["embedder"], "model_name", ""), params, *texts, *labels]).encode()
        ).hexdigest()[:16]
        cached = _load_cached(digest)
        if cached is not None:
            return cached
        vecs = knn.cached_vectors(bank["embedder"], texts, name="router-training")
        # Imported here: scikit-learn takes about a second to import and is needed only to fit, once per
        # training set (the fitted weights are cached and applied with numpy).
        from sklearn.linear_model import LogisticRegression

        vocab, idf = _lexicon(texts)
        clf = LogisticRegression(C=REGULARISATION_C, max_iter=3000, class_weight="balanced")
        clf.fit(_features(vecs, previous, _lexical(texts, vocab, idf)), labels)
        state = {"classes": [str(c) for c in clf.classes_], "coef": clf.coef_.astype("float32"),
                 "intercept": clf.intercept_.astype("float32"), "terms": list(vocab), "idf": idf}  # fmt: skip
        _save_cached(digest, state)
        return {**state, "vocab": vocab}


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
            terms = [str(t) for t in data["terms"]]
            return {"classes": [str(c) for c in data["classes"]], "coef": data["coef"], "intercept": data["intercept"],
                    "terms": terms, "idf": data["idf"], "vocab": {t: i for i, t in enumerate(terms)}}  # fmt: skip
    except Exception:  # unreadable: fit again
        return None


def _save_cached(digest: str, state: dict) -> None:
    path = _cache_path(digest)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.stem + f".{os.getpid()}.tmp.npz")
        np.savez(tmp, classes=np.array(state["classes"]), coef=state["coef"], intercept=state["intercept"],
                 terms=np.array(state["terms"]), idf=state["idf"])  # fmt: skip
        os.replace(tmp, path)
        for stale in path.parent.glob("router-model-*.npz"):
            if stale != path and ".tmp." not in stale.name:
                stale.unlink(missing_ok=True)
    except OSError:
        log.warning("intent router: could not cache the arbiter at %s", path)


def predict(text: str, vec: np.ndarray, has_previous_search: bool) -> Prediction | None:
    """The arbiter's reading of one embedded message; refinement is impossible without a previous search."""
    state = IntentModel.get()
    if state is None:
        return None
    lexical = _lexical([text], state["vocab"], state["idf"])
    x = _features(np.asarray(vec, dtype="float32")[None, :], np.array([has_previous_search]), lexical)[0]
    logits = state["coef"] @ x + state["intercept"]
    logits = logits - logits.max()
    probs = np.exp(logits)
    classes = state["classes"]
    if not has_previous_search and "refine" in classes:
        probs[classes.index("refine")] = 0.0
    probs = probs / probs.sum()
    best = int(np.argmax(probs))
    return Prediction(classes[best], float(probs[best]), {c: float(p) for c, p in zip(classes, probs, strict=True)})
