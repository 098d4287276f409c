"""The catalog's terms for everyday words (search.ranking.synonyms) and where the ranking reads them."""

from __future__ import annotations

import numpy as np
import pytest

from search.lexical import LexicalIndex
from search.ranking import Components, DocFields, DocSignals, embedding_query, lexical_query, rank
from search.ranking.synonyms import catalog_terms, expand_query, synonym_table


def test_the_table_maps_everyday_phrases_to_catalog_terms():
    table = synonym_table()
    assert len(table) > 500
    assert "resale flat" in table[("second", "hand", "flats")]
    assert all(terms and all(t.strip() for t in terms) for terms in table.values())


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("prices of second-hand flats by town", ["resale flat"]),
        ("Layoffs by industry", ["retrenchment"]),  # plural and singular alike, any casing
        ("one layoff notice", ["retrenchment"]),
        ("parking in the city", ["carpark"]),
        ("park connector map", []),  # "parking" is not "park": no stemming
        ("train a model on street scenes", []),  # a plural left side ("trains") is only itself
        ("retrenchment and layoffs", []),  # a term the query already says is not added again
        ("", []),
        # Rephrased: a phrase's content words in any order, a few words apart, a noun in either number.
        ("what did second-hand public housing flats sell for", ["hdb", "resale flat"]),
        ("how many children does a woman have on average", ["total fertility rate"]),
        ("how fast are prices of everyday things rising", ["consumer price index"]),  # three words apart
        ("We trained a deep network for image classification.", []),  # a verb form is not a noun ("trains")
        ("children in the school that was run by a woman", []),  # too far apart to be one phrase
    ],
)
def test_catalog_terms_of_a_query(query, terms):
    assert catalog_terms(query) == terms


def test_expanded_queries_keep_the_users_words_first():
    assert expand_query("layoffs by industry") == "layoffs by industry (retrenchment)"
    assert expand_query("rainfall") == "rainfall"
    assert lexical_query("layoffs", synonyms=False) == "layoffs"
    # The embedder reads the query without request boilerplate, then the catalog's terms.
    assert embedding_query("I want to find layoffs by industry") == "layoffs by industry (retrenchment)"
    assert embedding_query("I want to find layoffs by industry", synonyms=False) == "layoffs by industry"


def test_bm25_finds_the_catalog_term_for_an_everyday_word():
    docs = [
        DocFields(title="Retrenchment by Industry", description="Workers retrenched, quarterly."),
        DocFields(title="Rainfall by Station", description="Monthly rainfall in millimetres."),
    ]
    common = {
        "query": "layoffs by industry",
        "vector": None,
        "embeddings": np.zeros((2, 3), dtype=np.float32),
        "lexical_index": LexicalIndex.build(docs),
        "signals": DocSignals.neutral(2),
        "mask": np.ones(2, dtype=bool),
        "min_similarity": 0.0,
    }
    with_terms = rank(**common)
    without = rank(**common, components=Components(synonyms=False))
    assert max(with_terms.order, key=with_terms.order.get) == 0
    assert with_terms.lexical[0] > without.lexical.get(0, 0.0)


def test_prefetched_lexical_scores_serve_only_the_query_they_were_computed_for():
    from concurrent.futures import Future

    from search.services.retrieval import PrefetchedScores

    index = LexicalIndex.build([DocFields(title="Retrenchment by Industry"), DocFields(title="Rainfall by Station")])
    future: Future = Future()
    future.set_result(index.scores(lexical_query("layoffs")))
    prefetched = PrefetchedScores(future, lexical_query("layoffs"), index)
    assert prefetched.scores(lexical_query("layoffs")) is future.result()
    np.testing.assert_allclose(prefetched.scores("rainfall"), index.scores("rainfall"))
    assert prefetched.scores("rainfall")[1] > 0 == prefetched.scores("rainfall")[0]
