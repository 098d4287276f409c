"""Re-scoring fused scores with catalog signals (quality, links, freshness, geography, publisher,
popularity, research labels)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from search.ranking.intent import QueryIntent, publisher_matches
from search.ranking.popularity import MentionLinks
from search.ranking.research import labels_match
from search.ranking.titles import unasked_share


@dataclass
class DocSignals:
    """Per-document catalog signals, arrays indexed by doc index (like the index's vectors)."""

    quality: np.ndarray  # float in [0, 1]
    link_broken: np.ndarray  # bool
    freshness: np.ndarray  # float in [0, 1]: 1 = updated recently, 0 = stale or unknown
    is_singapore: np.ndarray  # bool: the source or the coverage is Singapore
    publisher: Sequence[str] = ()
    # float in [0, 1]: how often other records of the catalog mention this dataset by name
    # (``catalog_popularity``); None = unknown (no adjustment).
    popularity: np.ndarray | None = None
    # Research records' task and modality labels (``Dataset.tasks`` / ``Dataset.modalities``), by doc
    # index; None = none known (no label adjustment).
    tasks: Sequence[Sequence[str]] | None = None
    modalities: Sequence[Sequence[str]] | None = None
    # Which records mention which by name (``search.ranking.popularity.mention_links``); None = unknown.
    mentions: MentionLinks | None = None
    # Titles by doc index, for ``RescoreParams.title_extra``; "" for a title that is a name (a research record's),
    # None = unknown (no adjustment).
    titles: Sequence[str] | None = None

    @classmethod
    def neutral(cls, n: int) -> DocSignals:
        return cls(
            quality=np.full(n, 0.5, dtype=np.float32),
            link_broken=np.zeros(n, dtype=bool),
            freshness=np.zeros(n, dtype=np.float32),
            is_singapore=np.zeros(n, dtype=bool),
            publisher=[""] * n,
            popularity=np.zeros(n, dtype=np.float32),
        )


@dataclass(frozen=True)
class RescoreParams:
    quality: float = 0.10  # added per unit of quality above/below 0.5 (0.3+ helps DataFinder, hurts data.gov.sg)
    link_broken: float = 0.06  # subtracted for a broken or unreachable link
    freshness: float = 0.01  # added per unit of freshness
    freshness_recency: float = 0.05  # ... when the query asks for recent data
    singapore: float = 0.10  # added for a Singapore source when the query is about Singapore (its name is not in the embedding)
    publisher: float = 0.06  # added when the publisher is an agency the query names
    global_singapore: float = 0.03  # subtracted for a Singapore-only source when the query says global
    popularity: float = 0.20  # added per unit of catalog popularity (``catalog_popularity``; 2-fold CV)
    # When the query describes research (``QueryIntent.research``): the popularity prior counts this much
    # more (a research idea is evaluated on the established datasets of its task), and a record whose
    # task label the query names (else its modality label) gains ``research_label``. 2-fold CV on the
    # DataFinder dev half (``bench/search_quality.py --cv``).
    research_popularity: float = 0.15
    research_label: float = 0.05
    # Added per log(1 + m), m = how many of the best candidates mention a candidate by name
    # (``search.ranking.popularity.mentioned_by_hits``). 2-fold CV on the DataFinder dev half.
    mentioned_by_hits: float = 0.20
    # Subtracted per unit of the share of a title's words the query does not ask for (``search.ranking.titles``),
    # so the table that is about what was asked beats a cross-tabulation narrowing it to what was not; not for a
    # research description, nor for a title that is a name (``DocSignals.titles``). data.gov.sg judged sets (own,
    # blind, blind2) 0.767 / 0.767 / 0.724 -> 0.774 / 0.788 / 0.728 NDCG@10; 0.15-0.35 all score within 0.002.
    title_extra: float = 0.20


DEFAULT_RESCORE = RescoreParams()
# For the score a hit *reports* (compared with thresholds such as ASSISTANT_WEAK_SCORE): the same
# adjustments without the popularity prior, which only orders candidates (an often-cited dataset is
# not a better match for an unrelated query).
REPORTED_SCORE_RESCORE = RescoreParams(
    popularity=0.0, research_popularity=0.0, research_label=0.0, mentioned_by_hits=0.0, title_extra=0.0
)


def freshness_from_age(age_days: float | None, *, half_life_days: float = 730.0) -> float:
    """1.0 for data updated today, 0.5 after ``half_life_days``, 0 when unknown."""
    if age_days is None or math.isnan(age_days):
        return 0.0
    return float(0.5 ** (max(0.0, age_days) / half_life_days))


def rescore(
    fused: dict[int, float],
    signals: DocSignals,
    intent: QueryIntent,
    *,
    params: RescoreParams = DEFAULT_RESCORE,
) -> dict[int, float]:
    """Adjust fused scores with quality, link health, freshness and geographic intent.

    The adjustments are small next to the relevance scale (a strong match scores ~0.6-1.0), so they
    reorder near-ties and push down broken or low-quality records without overriding relevance.
    """
    agencies = set(intent.agencies)
    research = intent.research
    pop_weight = params.popularity + (params.research_popularity if research else 0.0)
    popularity = signals.popularity if signals.popularity is not None and pop_weight else None
    labelled = (
        research
        and params.research_label
        and (intent.tasks or intent.modalities)
        and signals.tasks is not None
        and signals.modalities is not None
    )
    titles = signals.titles if params.title_extra and not research and intent.asked else None
    out: dict[int, float] = {}
    for i, s in fused.items():
        adj = params.quality * (float(signals.quality[i]) - 0.5)
        if signals.link_broken[i]:
            adj -= params.link_broken
        fresh = float(signals.freshness[i])
        adj += (params.freshness_recency if intent.recency else params.freshness) * fresh
        sg = bool(signals.is_singapore[i])
        if intent.geography == "singapore" and sg:
            adj += params.singapore
        elif intent.geography == "global" and sg:
            adj -= params.global_singapore
        if agencies and len(signals.publisher) > i and publisher_matches(signals.publisher[i], agencies):
            adj += params.publisher
        if popularity is not None:
            adj += pop_weight * float(popularity[i])
        if labelled and labels_match(intent.tasks, intent.modalities, signals.tasks[i], signals.modalities[i]):
            adj += params.research_label
        if titles is not None:
            adj -= params.title_extra * unasked_share(titles[i], intent.asked)
        out[i] = s + adj
    return out
