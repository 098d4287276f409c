"""The ranking pipeline of the search service, as one function over arrays (no Django, no I/O).

    lexical   BM25 scores, the best LEXICAL_CANDIDATES with a positive score
    neural    cosine to the query vector, moved towards its best hits by a feedback pass, the best
              NEURAL_CANDIDATES
    order     rescore(fuse(lexical, neural), signals, query_intent(query)), then the candidates the best
              of them mention by name raised (``mentioned_by_hits``)
    reported  the same fusion over the query's own cosine, without the popularity prior
    matches   the documents of ``order`` found by BM25 or at least ``min_similarity`` similar to the query

``search.services`` runs it with every component; ``bench/search_quality.py`` switches components off
(``Components``) to measure each step of this same code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from search.ranking.columns import COLUMN_BOOST, COLUMN_MATCH_SCORE
from search.ranking.fusion import FEEDBACK_DOCS, feedback_query_vector, fuse, top_k
from search.ranking.intent import QueryIntent, query_intent
from search.ranking.popularity import mentioned_by_hits
from search.ranking.queries import lexical_query
from search.ranking.rescoring import DEFAULT_RESCORE, REPORTED_SCORE_RESCORE, DocSignals, RescoreParams, rescore
from search.text import content_words

NEURAL_CANDIDATES = 200
LEXICAL_CANDIDATES = 200
FEEDBACK_POOL = 2000
COLUMN_CANDIDATES = 1000  # datasets with the requested columns taken, the most similar first
RARE_WORD_MATCHES = 5  # a short query whose words at most this many records contain puts those first
RARE_WORD_BOOST = 1.0


class LexicalScorer(Protocol):
    def scores(self, query: str) -> np.ndarray: ...


@runtime_checkable
class DenseIndex(Protocol):
    def similarities(self, vector: np.ndarray, mask: np.ndarray) -> np.ndarray: ...

    def candidates(self, vector: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None: ...


@dataclass(frozen=True)
class Components:
    """Which steps run after fusion. The service runs all of them (``FULL_PIPELINE``)."""

    feedback: bool = True  # the second neural pass from the query moved towards its best hits
    rescoring: bool = True  # catalog signals
    rare_words: bool = True  # a short query's words that only a handful of records contain put those first
    # BM25 also scores the catalog's terms for the query's everyday words (search.ranking.synonyms)
    synonyms: bool = True
    rescore_params: RescoreParams = DEFAULT_RESCORE


FULL_PIPELINE = Components()


@dataclass
class Ranking:
    order: dict[int, float]  # the matches -> ranking score (unordered; higher is better)
    reported: dict[int, float]  # candidates -> the score a hit reports
    lexical: dict[int, float]  # BM25 candidates -> BM25 score
    neural: dict[int, float]  # neural candidates -> cosine as fused (after the feedback pass)
    similarity: dict[int, float]  # neural candidates -> cosine to the query itself
    intent: QueryIntent


def best_positions(scores: np.ndarray, mask: np.ndarray, k: int, *, floor: float) -> np.ndarray:
    """Indexes of the best ``k`` scores among ``mask`` that exceed ``floor``, best first."""
    allowed = np.flatnonzero(mask & (scores > floor))
    if len(allowed) > k:
        part = np.argpartition(-scores[allowed], k - 1)[:k]
        allowed = allowed[part]
    return allowed[np.argsort(-scores[allowed], kind="stable")]


def dense_similarities(embeddings, vector: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The query's cosine with every document ``mask`` allows: vectors that carry an approximate index
    (``search.index.ann``) answer from its candidates (-inf for the rest), a plain matrix by a full scan."""
    if isinstance(embeddings, DenseIndex):
        return embeddings.similarities(vector, mask)
    return embeddings @ vector


def dense_candidates(embeddings, vector: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """An approximate index's candidates among ``mask``: (rows, their float32 vectors); None when the vectors
    are a plain matrix or the allowed rows are few enough to scan exactly (``dense_similarities`` then)."""
    return embeddings.candidates(vector, mask) if isinstance(embeddings, DenseIndex) else None


def _numbers_or_raise(values: np.ndarray, what: str, damaged: str) -> None:
    """Scores computed from files overwritten with noise carry a NaN (its max does): the caller rebuilds the index."""
    if len(values) and np.isnan(np.max(values)):
        raise ValueError(f"{what} are not numbers: the index's {damaged} are damaged")


def _neural(
    rows: np.ndarray,
    direct: np.ndarray,
    row_vectors: Callable[[], np.ndarray],
    vector: np.ndarray,
    *,
    feedback: bool,
    lexical: dict[int, float] | None = None,
    query: str = "",
) -> dict[int, float]:
    """The best NEURAL_CANDIDATES of ``rows`` (ascending; ``direct`` their cosine to the query), after the feedback
    pass when asked: the query moved towards its FEEDBACK_DOCS best rows and those rows scored again with it.
    ``row_vectors`` reads the rows' vectors (only the feedback pass needs them). Ties go to the lower row.

    With ``lexical`` (BM25's candidates) the rows fed back are the best of the first pass fused with them, so a
    query whose nearest vectors drift ("rent an HDB flat" near every HDB table) is not pulled further that way
    (data.gov.sg judged sets 0.753 -> 0.767 and 0.757 -> 0.767 NDCG@10); the caller leaves it out for a
    research description, whose words match poorly (DataFinder is best fed back its embedding's own hits)."""
    sims = direct
    if feedback and len(rows):
        vectors = row_vectors()
        best = _feedback_rows(rows, direct, lexical, query) if lexical else np.empty(0, dtype=np.int64)
        if not len(best):  # no BM25 side, or none of its best among the dense rows: the embedding's own
            best = np.sort(np.argsort(-direct, kind="stable")[:FEEDBACK_DOCS])
        sims = vectors @ feedback_query_vector(vector, vectors[best])
    top = np.argsort(-sims, kind="stable")[:NEURAL_CANDIDATES]
    return dict(zip(rows[top].tolist(), sims[top].tolist(), strict=True))


def _feedback_rows(rows: np.ndarray, direct: np.ndarray, lexical: dict[int, float], query: str) -> np.ndarray:
    """Positions in ``rows`` of the FEEDBACK_DOCS best documents of the first pass (BM25 fused with the query's
    own similarity), those the dense side holds."""
    first = np.argsort(-direct, kind="stable")[:NEURAL_CANDIDATES]
    fused = fuse(lexical, dict(zip(rows[first].tolist(), direct[first].tolist(), strict=True)), query=query)
    position = {int(r): k for k, r in enumerate(rows.tolist())}
    best = [position[i] for i in top_k(fused, FEEDBACK_DOCS * 4) if i in position][:FEEDBACK_DOCS]
    return np.sort(np.asarray(best, dtype=np.int64))


def rank(
    *,
    query: str,
    vector: np.ndarray | None,
    embeddings: np.ndarray,
    lexical_index: LexicalScorer,
    signals: DocSignals,
    mask: np.ndarray,
    min_similarity: float,
    components: Components = FULL_PIPELINE,
    column_match: np.ndarray | None = None,
) -> Ranking:
    """Candidates, fusion and re-scoring over the documents ``mask`` allows.

    ``vector`` is the L2-normalised query vector (None: no neural side); ``embeddings`` the documents'
    vectors, row = doc index. The feedback pass runs only for a text query. ``column_match`` marks the
    documents that have every column the query asks for (``search.ranking.columns``): they are matches,
    rank ``COLUMN_BOOST`` higher and report at least ``COLUMN_MATCH_SCORE``.
    """
    n = len(embeddings)
    neural: dict[int, float] = {}
    lexical: dict[int, float] = {}
    direct: np.ndarray | None = None  # similarity to the query itself (before feedback)
    similarity: dict[int, float] = {}  # neural candidates -> similarity to the query itself
    if query and n:
        scores = lexical_index.scores(lexical_query(query, synonyms=components.synonyms))
        _numbers_or_raise(scores, "lexical scores", "term statistics")
        top = best_positions(scores, mask, LEXICAL_CANDIDATES, floor=0.0)
        lexical = dict(zip(top.tolist(), scores[top].tolist(), strict=True))
    intent = query_intent(query)
    # The first pass's best fed back: BM25 with the embedding, or the embedding alone for a research description
    seeds = lexical if lexical and not intent.research else None
    if vector is not None and n:
        feedback = components.feedback and bool(query)
        found = dense_candidates(embeddings, vector, mask)
        if found is not None:  # an approximate index's candidates: no pass over the whole catalog
            rows, vectors = found
            row_direct = vectors @ vector
            _numbers_or_raise(row_direct, "dense similarities", "vectors")
            neural = _neural(rows, row_direct, lambda: vectors, vector, feedback=feedback, lexical=seeds, query=query)
            if column_match is not None:  # the column boost below reads a full array
                direct = np.full(n, -np.inf, dtype=np.float32)
                direct[rows] = row_direct
        else:
            direct = dense_similarities(embeddings, vector, mask)
            _numbers_or_raise(direct, "dense similarities", "vectors")
            # The feedback pass re-scores only the best FEEDBACK_POOL rows of the first pass, not the whole matrix:
            # what lies beyond them does not reach the candidates anyway. Ascending rows read the map sequentially.
            rows = np.sort(best_positions(direct, mask, FEEDBACK_POOL, floor=-np.inf))
            row_direct = direct[rows]
            neural = _neural(
                rows,
                row_direct,
                lambda: np.asarray(embeddings[rows], dtype=np.float32),
                vector,
                feedback=feedback,
                lexical=seeds,
                query=query,
            )
        of_row = dict(zip(rows.tolist(), row_direct.tolist(), strict=True))
        similarity = {i: of_row[i] for i in neural}
    # The feedback pass improves the order but inflates similarities, so the score a hit reports
    # (which callers compare with thresholds) is the same fusion over the query's own similarity,
    # without the popularity prior (it orders candidates; it does not make a hit a better match).
    order = fuse(lexical, neural, query=query)
    reported = fuse(lexical, similarity, query=query)
    if components.rescoring:
        order = rescore(order, signals, intent, params=components.rescore_params)
        if signals.mentions is not None:
            order = mentioned_by_hits(order, signals.mentions, weight=components.rescore_params.mentioned_by_hits)
        reported = rescore(reported, signals, intent, params=REPORTED_SCORE_RESCORE)
    # Documents only the neural side found, and only faintly similar to the query itself, are not
    # counted as matches (so a nonsense query finds nothing). They take part in fusion above.
    order = {i: s for i, s in order.items() if i in lexical or similarity.get(i, 1.0) >= min_similarity}
    if components.rare_words and 0 < len(lexical) <= RARE_WORD_MATCHES and len(content_words(query)) <= 2:
        # A word only a handful of records contain (a name, a code, a curator's new term) is what a short
        # query is after: those records lead, whatever the embedding makes of a word it does not know.
        for i in lexical:
            order[i] = order.get(i, 0.0) + RARE_WORD_BOOST
    if column_match is not None:
        sims_of = direct if direct is not None else np.zeros(n, dtype=np.float32)
        unscored = mask & column_match & ~np.isfinite(sims_of)  # past the approximate candidates
        if vector is not None and unscored.any():
            rows = np.flatnonzero(unscored)
            sims_of = sims_of.copy()
            sims_of[rows] = np.asarray(embeddings[rows], dtype=np.float32) @ vector
        for i in best_positions(sims_of, mask & column_match, COLUMN_CANDIDATES, floor=-np.inf).tolist():
            order[i] = order.get(i, reported.get(i, float(sims_of[i]))) + COLUMN_BOOST
            reported[i] = max(reported.get(i, 0.0), COLUMN_MATCH_SCORE)
    return Ranking(order=order, reported=reported, lexical=lexical, neural=neural, similarity=similarity, intent=intent)
