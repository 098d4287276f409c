"""Ranking: pure functions that turn candidate scores into a ranking, and say why (no Django, no I/O).

The pipeline ``search.services`` runs is ``pipeline.rank``::

    lexical = LexicalIndex.scores(query)                 # BM25 scores by doc index
    neural  = cosine(encode_query(query), doc vectors)   # by doc index (+ a feedback pass)
    fused   = fuse(lexical, neural, query=query)
    final   = rescore(fused, signals, query_intent(query))
    why     = explain(query=..., doc=..., ...)

Modules: ``documents`` (fields, embedded text), ``queries`` (boilerplate, name-like tokens),
``fusion``, ``intent`` (geography, places, agencies, recency, years), ``research`` (research
descriptions and the labels they name), ``rescoring``, ``popularity``, ``explanations``,
``duplicates`` and ``pipeline``; this package re-exports their public names.

Fusion (see ``fuse``): the neural cosine stays on its own, calibrated scale and the BM25 score,
divided by the best BM25 score of the query, is added with a small query-dependent weight (more for
full sentences, whose distinctive words BM25 matches well, less for 1-2 word keyphrases, more again
when the query names something: acronyms, "CIFAR-10", "PM2.5"). Reciprocal-rank fusion throws the
scores away and gives the weak lexical list as much say as the neural one; measured on the DataFinder
dev half it loses to neural alone, while this score fusion beats it. Re-scoring (``rescore``) then adds
small, bounded adjustments for catalog quality, broken links, freshness (more when the query asks for
recent data), Singapore sources for Singapore-intent queries (less for "global"/"worldwide" ones),
publishers that are an agency the query names, and a catalog popularity prior (how many other
records mention the dataset by name, ``catalog_popularity``: the in-catalog analogue of citation
counts; it counts more, and a record whose task or modality label the query names gains a little,
when the query describes research: ``research``). Weights were chosen by 2-fold cross-validation on
the DataFinder dev half and kept only where the data.gov.sg judged set did not get worse (a strong quality prior helps DataFinder but hurts
data.gov.sg, so it stays small; the popularity prior's weight and cap are the CV pick of both folds,
``bench/search_quality.py --cv``).
"""

from __future__ import annotations

from search.ranking.documents import DESCRIPTION_WORDS, DocFields, clean_description, doc_names, document_text
from search.ranking.duplicates import NEAR_DUPLICATE_COSINE, is_near_duplicate, normalise_title
from search.ranking.explanations import explain
from search.ranking.fusion import (
    DEFAULT_FUSION,
    FEEDBACK_DOCS,
    FusionParams,
    feedback_query_vector,
    fuse,
    lexical_weight,
    rrf,
    top_k,
)
from search.ranking.intent import QueryIntent, publisher_matches, query_intent
from search.ranking.pipeline import FULL_PIPELINE, Components, Ranking, best_positions, rank
from search.ranking.popularity import (
    POPULARITY_CAP,
    POPULARITY_EXPLAINED,
    catalog_mentions,
    catalog_popularity,
    popularity_from_mentions,
)
from search.ranking.queries import embedding_query, lexical_query, name_like_tokens, preprocess_query
from search.ranking.rescoring import (
    DEFAULT_RESCORE,
    REPORTED_SCORE_RESCORE,
    DocSignals,
    RescoreParams,
    freshness_from_age,
    rescore,
)

__all__ = [
    "DEFAULT_FUSION",
    "DEFAULT_RESCORE",
    "DESCRIPTION_WORDS",
    "FEEDBACK_DOCS",
    "FULL_PIPELINE",
    "NEAR_DUPLICATE_COSINE",
    "POPULARITY_CAP",
    "POPULARITY_EXPLAINED",
    "REPORTED_SCORE_RESCORE",
    "Components",
    "DocFields",
    "DocSignals",
    "FusionParams",
    "QueryIntent",
    "Ranking",
    "RescoreParams",
    "best_positions",
    "catalog_mentions",
    "catalog_popularity",
    "clean_description",
    "doc_names",
    "document_text",
    "embedding_query",
    "explain",
    "feedback_query_vector",
    "freshness_from_age",
    "fuse",
    "is_near_duplicate",
    "lexical_query",
    "lexical_weight",
    "name_like_tokens",
    "normalise_title",
    "popularity_from_mentions",
    "preprocess_query",
    "publisher_matches",
    "query_intent",
    "rank",
    "rescore",
    "rrf",
    "top_k",
]
