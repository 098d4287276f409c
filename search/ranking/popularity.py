"""Catalog popularity: how many other records of the catalog mention a dataset by name."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from search.ranking.documents import DocFields

POPULARITY_CAP = 20  # mentions at which the prior saturates (log scale: 1 mention = 0.23, 5 = 0.59)
POPULARITY_EXPLAINED = 0.45  # explained as "often mentioned" from 3 mentions on
_NAME_MAX_TOKENS = 6
_WORD_RE = re.compile(r"[^\W_]+(?:[-.+/'][^\W_]+)*")
_SENTENCE_RE = re.compile(r"[.!?:;]\s+|\n+")


@dataclass(frozen=True)
class MentionLinks:
    """Who mentions whom, in CSR form: document j mentions ``indices[indptr[j]:indptr[j + 1]]``."""

    indptr: np.ndarray  # int64, one more than the documents
    indices: np.ndarray  # int32 document positions

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def mentioned_by(self, j: int) -> np.ndarray:
        return self.indices[self.indptr[j] : self.indptr[j + 1]]

    def counts(self) -> np.ndarray:
        """How many documents mention each one."""
        return np.bincount(self.indices, minlength=len(self)).astype(np.int32)

    def moved(self, rows: dict[int, int], *, added: int) -> MentionLinks:
        """The links over ``added`` more documents that mention nothing (an index's delta rows), the links to
        the documents in ``rows`` (old position -> new) pointing at their new position."""
        indices = self.indices
        if rows:
            position = np.arange(len(self), dtype=np.int64)
            position[list(rows)] = list(rows.values())
            indices = position[indices].astype(np.int32)
        return MentionLinks(np.concatenate([self.indptr, np.full(added, self.indptr[-1], dtype=np.int64)]), indices)


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


def mention_links(docs: Sequence[DocFields], family: Sequence[int] | np.ndarray | None = None) -> MentionLinks:
    """Which other documents each document mentions by title in its description or source titles
    (case-sensitive, whole tokens, at most 6 tokens long).

    A mention at the start of a sentence does not count: there a capitalised ordinary word ("Note:",
    "Parks are ...") looks like a name. Members of one dataset family (``family``, 0 = none) mentioning each
    other are one dataset naming itself, not a mention. Each mentioned document is listed once per mentioning one.
    """
    wanted: dict[tuple[str, ...], list[int]] = {}
    for i, doc in enumerate(docs):
        toks = _name_tokens(doc.title)
        if toks:
            wanted.setdefault(toks, []).append(i)
    indptr = np.zeros(len(docs) + 1, dtype=np.int64)
    targets: list[int] = []
    first = {t[0] for t in wanted}
    lengths = sorted({len(t) for t in wanted})
    for j, doc in enumerate(docs):
        found: set[tuple[str, ...]] = set()
        if wanted:
            text = "\n".join([doc.description or "", *doc.source_titles])
            for sentence in _SENTENCE_RE.split(text):
                toks = _WORD_RE.findall(sentence)
                for k in range(1, len(toks)):  # position 0 starts a sentence
                    if toks[k] not in first:
                        continue
                    for n in lengths:
                        name = tuple(toks[k : k + n])
                        if len(name) == n and name in wanted:
                            found.add(name)
        own = family[j] if family is not None else 0
        targets.extend(sorted({i for name in found for i in wanted[name] if i != j and not (own and family[i] == own)}))
        indptr[j + 1] = len(targets)
    return MentionLinks(indptr, np.asarray(targets, dtype=np.int32))


def catalog_mentions(docs: Sequence[DocFields]) -> np.ndarray:
    """For each document, how many *other* documents mention its title (``mention_links``)."""
    return mention_links(docs).counts()


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


NEIGHBOUR_HITS = 20  # the best candidates whose mentions count (``mentioned_by_hits``)


def mentioned_by_hits(
    order: dict[int, float], links: MentionLinks, *, weight: float, hits: int = NEIGHBOUR_HITS
) -> dict[int, float]:
    """``order`` with each candidate raised by ``weight * log(1 + m)``, m = how many of the ``hits`` best
    candidates mention it by name.

    The query-side twin of the popularity prior: the datasets a query's best matches are built on, compared
    with or derived from ("Foggy Cityscapes ... from Cityscapes", "pre-trained on ImageNet") are the
    established ones of that very topic, which a researcher's idea is most likely evaluated on. Only
    candidates move (a mentioned record the query did not find stays out).
    """
    if not weight or not order or not len(links):
        return order
    best = sorted(order, key=lambda i: (-order[i], i))[:hits]
    mentioned: dict[int, int] = {}
    for j in best:
        for i in links.mentioned_by(j).tolist():
            mentioned[i] = mentioned.get(i, 0) + 1
    if not mentioned:
        return order
    out = dict(order)
    for i, m in mentioned.items():
        if i in out:
            out[i] += weight * math.log1p(m)
    return out
