"""Catalog popularity: how many other records of the catalog mention a dataset by name."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

from search.ranking.documents import DocFields

POPULARITY_CAP = 20  # mentions at which the prior saturates (log scale: 1 mention = 0.23, 5 = 0.59)
POPULARITY_EXPLAINED = 0.45  # explained as "often mentioned" from 3 mentions on
_NAME_MAX_TOKENS = 6
_WORD_RE = re.compile(r"[^\W_]+(?:[-.+/'][^\W_]+)*")
_SENTENCE_RE = re.compile(r"[.!?:;]\s+|\n+")


def _name_tokens(title: str) -> tuple[str, ...] | None:
    """A title as a case-sensitive token sequence, when it is short enough to be a name."""
    title = (title or "").strip()
    toks = tuple(_WORD_RE.findall(title))
    if not toks or len(toks) > _NAME_MAX_TOKENS or len(title) < 3:
        return None
    # Every letter and digit of the title must be in the tokens ("Image网" is not "Image").
    if len("".join(toks)) < len(re.sub(r"[\W_]", "", title)):
        return None
    return toks


def catalog_mentions(docs: Sequence[DocFields]) -> np.ndarray:
    """For each document, how many *other* documents mention its title in their description or
    source titles (case-sensitive, whole tokens, at most 6 tokens long).

    A mention at the start of a sentence does not count: there a capitalised ordinary word ("Note:",
    "Parks are ...") looks like a name. Each mentioning document counts once.
    """
    wanted: dict[tuple[str, ...], list[int]] = {}
    for i, doc in enumerate(docs):
        toks = _name_tokens(doc.title)
        if toks:
            wanted.setdefault(toks, []).append(i)
    counts = np.zeros(len(docs), dtype=np.int32)
    if not wanted:
        return counts
    first = {t[0] for t in wanted}
    lengths = sorted({len(t) for t in wanted})
    for j, doc in enumerate(docs):
        text = "\n".join([doc.description or "", *doc.source_titles])
        found: set[tuple[str, ...]] = set()
        for sentence in _SENTENCE_RE.split(text):
            toks = _WORD_RE.findall(sentence)
            for k in range(1, len(toks)):  # position 0 starts a sentence
                if toks[k] not in first:
                    continue
                for n in lengths:
                    name = tuple(toks[k : k + n])
                    if len(name) == n and name in wanted:
                        found.add(name)
        for name in found:
            for i in wanted[name]:
                if i != j:
                    counts[i] += 1
    return counts


def catalog_popularity(docs: Sequence[DocFields], *, cap: int = POPULARITY_CAP) -> np.ndarray:
    """A popularity prior in [0, 1] derived from the catalog itself: ``log(1 + mentions) /
    log(1 + cap)``, capped at 1, where mentions = ``catalog_mentions``.

    Records that other records cite by name ("pre-trained on ImageNet", "images from COCO") are the
    established datasets a researcher most likely means among similar candidates, the same idea as
    citation counts or in-links. It needs nothing beyond the catalog, costs one pass over the text at
    index build, and is neutral where records do not mention each other (most of data.gov.sg).
    """
    return popularity_from_mentions(catalog_mentions(docs), cap=cap)


def popularity_from_mentions(mentions: np.ndarray, *, cap: int = POPULARITY_CAP) -> np.ndarray:
    """``catalog_popularity`` from mention counts already taken (``catalog_mentions``)."""
    counts = np.asarray(mentions).astype(np.float32)
    return np.minimum(1.0, np.log1p(counts) / math.log1p(max(1, cap))).astype(np.float32)
