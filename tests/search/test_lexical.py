"""The field-weighted BM25 index and its tokenizer."""

from __future__ import annotations

import numpy as np

from search.lexical import LexicalIndex
from search.ranking import DocFields
from search.text import content_words, fold, normalize, plural_stem, stem, tokenize

DOCS = [
    DocFields(title="CIFAR-10", description="60,000 tiny colour images in 10 classes.", extra_names=["CIFAR10"]),
    DocFields(title="CIFAR-100", description="Tiny images in 100 classes, like CIFAR-10 but finer."),
    DocFields(
        title="Resale Flat Prices",
        description="Prices of resale public housing flats.",
        tags=["Housing"],
        publisher="Housing and Development Board",
        formats=["CSV"],
    ),
    DocFields(
        title="Private Residential Property Transactions",
        description="Transactions of private homes; unlike HDB resale flats these are condominiums.",
        publisher="Urban Redevelopment Authority",
        formats=["CSV"],
    ),
    DocFields(title="COE Bidding Results", description="Certificate of entitlement premiums for vehicles."),
    DocFields(title="Historical 1-hr PM2.5", description="Hourly fine particulate readings by region."),
    DocFields(title="Weekly COVID-19 cases", description="Infections reported each week.", formats=["CSV"]),
]


def test_tokenizer_keeps_names_whole_joined_and_split():
    toks = tokenize("CIFAR-10, COVID-19 and PM2.5")
    for t in ("cifar-10", "cifar10", "cifar", "10", "covid-19", "covid19", "pm2.5", "pm25"):
        assert t in toks
    assert "and" not in toks


def test_tokenizer_stems_plurals_and_folds_accents():
    assert tokenize("Prices Cafés") == ["price", "cafe"]
    assert stem("categories") == stem("category")
    assert stem("class") == "class"
    assert stem("2015") == "2015"


def test_stemmer_brings_a_words_forms_together():
    # Derived forms the catalog's titles use meet the everyday ones (Snowball English).
    for a, b in (("enrolled", "enrolment"), ("exported", "exports"), ("crashes", "crash"), ("married", "marry")):
        assert stem(a) == stem(b), (a, b)
    assert tokenize("students enrolled") == tokenize("student enrolment")
    # Codes, numbers and short words are left alone; the light stemmer of everyday phrases keeps a singular's spelling.
    assert stem("pm2.5") == "pm2.5" and stem("bus") == "bus"
    assert plural_stem("facilities") == "facility" and stem("facilities") != "facility"


def test_fold_drops_accents_and_case():
    assert fold("Café Ñandú ＨＤＢ") == "cafe nandu hdb"
    assert normalize("Café") == fold("Café")
    assert fold(None) == ""


def test_content_words_drop_request_boilerplate():
    assert content_words("I want to find a dataset of HDB resale prices") == ["hdb", stem("resale"), "price"]


def test_exact_names_win_however_they_are_spelled():
    index = LexicalIndex.build(DOCS)
    for query in ("CIFAR-10", "cifar10", "cifar 10"):
        idx, scores = index.search(query, 3)
        assert idx[0] == 0, query
        assert scores[0] > scores[1]
    assert index.search("PM2.5 readings", 1)[0][0] == 5
    assert index.search("covid19 cases", 1)[0][0] == 6
    assert index.search("COE", 1)[0][0] == 4


def test_title_and_publisher_fields_outweigh_a_description_mention():
    index = LexicalIndex.build(DOCS)
    idx, _ = index.search("HDB resale", 2)
    # Doc 2 has "resale" in its title and HDB as publisher; doc 3 only mentions both in passing.
    assert list(idx) == [2, 3]


def test_search_returns_only_positive_scores_best_first():
    index = LexicalIndex.build(DOCS)
    idx, scores = index.search("condominiums", 10)
    assert list(idx) == [3]
    assert np.all(np.diff(scores) <= 0)
    assert index.search("zzzz qqqq", 5)[0].size == 0
    assert index.search("", 5)[0].size == 0
    assert index.scores("the of and").sum() == 0


def test_save_and_load_memory_mapped_give_the_same_results(tmp_path):
    index = LexicalIndex.build(DOCS)
    index.save(tmp_path / "lex")
    loaded = LexicalIndex.load(tmp_path / "lex")
    assert loaded.size == len(DOCS)
    for q in ("cifar-10", "HDB resale flat prices", "COVID-19", "vehicle premiums"):
        a_idx, a_s = index.search(q, 5)
        b_idx, b_s = loaded.search(q, 5)
        assert list(a_idx) == list(b_idx)
        np.testing.assert_allclose(a_s, b_s, rtol=1e-5)
    unmapped = LexicalIndex.load(tmp_path / "lex", mmap=False)
    assert list(unmapped.search("cifar-10", 2)[0]) == list(index.search("cifar-10", 2)[0])


def test_empty_corpus_and_k_larger_than_corpus():
    empty = LexicalIndex.build([])
    assert empty.search("anything", 5)[0].size == 0
    index = LexicalIndex.build(DOCS[:2])
    idx, _ = index.search("tiny images", 50)
    assert sorted(idx.tolist()) == [0, 1]


def test_scores_are_the_weighted_sum_of_each_fields_bm25(tmp_path):
    # The scorer adds each token's postings itself; bm25s's own scoring of each field is the reference.
    index = LexicalIndex.build(DOCS)
    index.save(tmp_path / "lex")
    for scorer in (index, LexicalIndex.load(tmp_path / "lex")):
        for q in ("HDB resale flat prices", "tiny images cifar-10", "weekly cases csv", "resale resale flats"):
            tokens = list(dict.fromkeys(tokenize(q)))
            expected = np.zeros(len(DOCS), dtype=np.float32)
            for name, bm in scorer.fields.items():
                if ids := bm.get_tokens_ids(tokens):
                    expected += scorer.weights[name] * bm.get_scores_from_ids(ids)
            assert expected.any()
            np.testing.assert_allclose(scorer.scores(q), expected, rtol=1e-6)
