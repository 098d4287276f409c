"""Unit tests for the pure ranking functions (no database, no model)."""

from __future__ import annotations

import numpy as np
import pytest

from search.ranking import (
    REPORTED_SCORE_RESCORE,
    Components,
    DocFields,
    DocSignals,
    QueryIntent,
    RescoreParams,
    catalog_mentions,
    catalog_popularity,
    clean_description,
    document_text,
    embedding_query,
    explain,
    feedback_query_vector,
    freshness_from_age,
    fuse,
    is_near_duplicate,
    lexical_weight,
    normalise_title,
    preprocess_query,
    publisher_matches,
    query_intent,
    rank,
    rescore,
    rrf,
    top_k,
)
from search.ranking.popularity import MentionLinks, mention_links, mentioned_by_hits
from search.ranking.titles import asked_keys, unasked_share
from search.text import stem

# --- documents -------------------------------------------------------------------------------


def test_clean_description_strips_markdown_links_and_source_line():
    raw = (
        "**DIV2K** is a [super-resolution](https://example.org/sr) dataset.\r\n\r\n"
        "Source: [NTIRE 2017 Challenge](https://arxiv.org/abs/1234)"
    )
    assert clean_description(raw) == "DIV2K is a super-resolution dataset."
    # Only the credit goes: a note a curator appends after it on the same line is searchable.
    assert clean_description(raw + " Curator note zqmoplkjhq").endswith("dataset. Curator note zqmoplkjhq")
    assert clean_description("Monthly totals.\nSource: SINGAPORE DEPARTMENT OF STATISTICS") == "Monthly totals."
    # A one-line description that opens with its credit keeps the prose after it.
    one_line = "Source: National Sports Participation Survey (NSPS). NSPS tracks sport participation. Curator note xq"
    assert clean_description(one_line) == "NSPS tracks sport participation. Curator note xq"


def test_document_text_puts_the_title_first_and_keeps_the_source_title_in_the_window():
    doc = DocFields(
        title="CIFAR-10",
        description="Tiny images. " + "word " * 1000,
        extra_names=["CIFAR10"],
        publisher="University of Toronto",
        source_titles=["Learning Multiple Layers of Features from Tiny Images"],
    )
    text = document_text(doc, description_words=50)
    assert text.startswith("CIFAR-10: Tiny images.")
    assert "Source: Learning Multiple Layers of Features from Tiny Images" in text
    assert "Also: CIFAR10" in text
    assert text.endswith("Published by University of Toronto")
    assert len(text.split()) < 80


def test_document_text_with_only_a_title():
    assert document_text(DocFields(title="HDB Resale Flat Prices")) == "HDB Resale Flat Prices"


# --- queries ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("I want to build a system that answers questions about paragraphs of text.", "answers questions about"),
        ("We propose a framework for long text generation", "long text generation"),
        ("We want to train a model for semantic segmentation", "semantic segmentation"),
        ("hdb resale prices", "hdb resale prices"),
        # Whole words only: "an" is not the article "a" followed by "n ..." (nor "methods" "method" + "s").
        ("I want to train an object detector for IoU thresholds", "object detector"),
        ("I explore methods to improve semantic segmentation", "methods to improve"),
        ("We propose a model-based planner", "model-based planner"),
    ],
)
def test_preprocess_query_drops_request_boilerplate(query, expected):
    out = preprocess_query(query)
    assert out.startswith(expected)
    assert not out.lower().startswith(("i want", "we propose", "we want"))


def test_preprocess_query_keeps_a_query_that_would_become_empty():
    assert preprocess_query("I want to") == "I want to"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # The home country is a place, not the topic: the embedding reads the rest.
        ("how many doctors and nurses are there in Singapore", "how many doctors and nurses are there"),
        ("Singapore's household waste recycled", "household waste recycled"),
        ("rainfall across sg by month", "rainfall by month"),
        # A demonym names people; a query left with one word keeps the country.
        ("what sports do Singaporeans play", "what sports do Singaporeans play"),
        ("singapore gdp", "singapore gdp"),
        ("singapore", "singapore"),
    ],
)
def test_embedding_query_reads_the_home_country_as_a_place(query, expected):
    assert embedding_query(query, synonyms=False) == expected


def test_query_intent_singapore_agency_place_and_recency():
    intent = query_intent("latest HDB resale prices in Ang Mo Kio")
    assert intent.geography == "singapore"
    assert intent.agencies == ("hdb",)
    assert intent.places == ("ang mo kio",)
    assert intent.recency is True
    assert stem("resale") in intent.words and stem("prices") in intent.words  # stemmed, as the index holds words


def test_query_intent_global_and_none():
    assert query_intent("worldwide CO2 emissions by country").geography == "global"
    assert query_intent("global temperature anomalies").geography == "global"
    none = query_intent("image classification benchmark")
    assert none.geography == "none"
    assert none.agencies == () and none.places == () and not none.recency


def test_query_intent_explicit_singapore_wins_over_global_words():
    assert query_intent("Singapore's international visitor arrivals").geography == "singapore"


def test_query_intent_ambiguous_acronyms_only_in_capitals():
    assert query_intent("water prices from PUB").agencies == ("pub",)
    assert query_intent("pub opening hours").agencies == ()


def test_query_intent_reads_the_catalog_agency_table():
    assert query_intent("visitor numbers at national parks").agencies == ("national parks",)
    assert query_intent("A*STAR research grants").agencies == ("a*star",)
    assert query_intent("a star rating").agencies == ()
    assert query_intent("reports to the POLICE").agencies == ("police",)
    assert query_intent("police reports").agencies == ()


def test_query_intent_years():
    assert query_intent("rainfall between 2015 and 2020").years == (2015, 2020)


def test_publisher_matches_by_acronym_or_name():
    assert publisher_matches("Housing and Development Board", ["hdb"])
    assert publisher_matches("Housing & Development Board", ["hdb"])
    assert publisher_matches("Land Transport Authority", ["lta"])
    assert not publisher_matches("National Environment Agency", ["hdb"])
    assert not publisher_matches("", ["hdb"])


def test_publisher_matches_the_catalog_name_forms():
    assert publisher_matches("Info-communications Media Development Authority", ["imda"])
    assert publisher_matches("Infocomm Media Development Authority", ["imda"])
    assert publisher_matches("PUB, Singapore's National Water Agency", ["pub"])
    assert publisher_matches("Public Utilities Board", ["pub"])
    assert publisher_matches("Singapore Department of Statistics", ["singstat"])
    assert publisher_matches("Department of Statistics", ["dos"])
    assert not publisher_matches("Public Service Division", ["pub"])


# --- fusion ----------------------------------------------------------------------------------


def test_fuse_empty_inputs():
    assert fuse({}, {}, query="anything") == {}


def test_fuse_neural_only_keeps_the_neural_order():
    neural = {1: 0.8, 2: 0.6, 3: 0.4}
    fused = fuse({}, neural, query="semantic segmentation of street scenes")
    assert top_k(fused, 3) == [1, 2, 3]


def test_fuse_lexical_only_doc_gets_the_neural_floor():
    fused = fuse({9: 10.0}, {1: 0.8, 2: 0.5}, query="cifar-10")
    assert fused[9] > 0.5  # floor 0.5 plus the lexical share
    assert fused[9] == pytest.approx(0.5 + lexical_weight("cifar-10"))


def test_fuse_exact_name_match_lifts_a_doc_over_a_close_neural_neighbour():
    # Doc 2 is slightly less similar in meaning but is the dataset the query names.
    neural = {1: 0.62, 2: 0.60}
    lexical = {2: 12.0, 1: 1.0}
    assert top_k(fuse(lexical, neural, query="CIFAR-10"), 1) == [2]


def test_fuse_keeps_a_confident_neural_match_above_a_lexical_only_hit():
    neural = {1: 0.85, 2: 0.30}
    lexical = {3: 7.0, 2: 6.0}
    assert top_k(fuse(lexical, neural, query="photos of street scenes for autonomous driving research"), 1) == [1]


def test_lexical_weight_is_higher_for_names_than_for_plain_words():
    assert lexical_weight("COVID-19 cases") > lexical_weight("virus cases")
    assert lexical_weight("CIFAR-10") > lexical_weight("tiny images")


def test_rrf_baseline():
    out = rrf([{1: 3.0, 2: 2.0}, {2: 0.9, 3: 0.1}], k=60)
    assert top_k(out, 3) == [2, 1, 3]


# --- re-scoring ------------------------------------------------------------------------------


def _signals(n=4, **over):
    s = DocSignals.neutral(n)
    for key, value in over.items():
        setattr(s, key, value)
    return s


def test_rescore_broken_link_drops_below_an_equal_neighbour():
    fused = {0: 0.7, 1: 0.7}
    out = rescore(fused, _signals(2, link_broken=np.array([True, False])), QueryIntent())
    assert out[1] > out[0]


def test_rescore_quality_breaks_near_ties_but_not_relevance():
    signals = _signals(2, quality=np.array([1.0, 0.1], dtype=np.float32))
    close = rescore({0: 0.70, 1: 0.71}, signals, QueryIntent())
    assert close[0] > close[1]
    far = rescore({0: 0.40, 1: 0.80}, signals, QueryIntent())
    assert far[1] > far[0]


def test_rescore_prefers_singapore_sources_only_for_singapore_intent():
    signals = _signals(2, is_singapore=np.array([True, False]))
    fused = {0: 0.60, 1: 0.62}
    sg = rescore(fused, signals, query_intent("rainfall in Singapore"))
    assert sg[0] > sg[1]
    neutral = rescore(fused, signals, query_intent("rainfall"))
    assert neutral[1] > neutral[0]
    world = rescore({0: 0.62, 1: 0.60}, signals, query_intent("worldwide rainfall"))
    assert world[1] > world[0]


def test_rescore_prefers_the_named_agency():
    signals = _signals(2, publisher=["Singapore Department of Statistics", "Housing and Development Board"])
    out = rescore({0: 0.64, 1: 0.60}, signals, query_intent("HDB flat prices"))
    assert out[1] > out[0]


def test_rescore_freshness_counts_more_when_recency_is_asked():
    signals = _signals(2, freshness=np.array([1.0, 0.0], dtype=np.float32))
    fused = {0: 0.60, 1: 0.63}
    assert (
        rescore(fused, signals, query_intent("air quality"))[1]
        > rescore(fused, signals, query_intent("air quality"))[0]
    )
    recent = rescore(fused, signals, query_intent("latest air quality"))
    assert recent[0] > recent[1]


def test_rescore_prefers_the_title_about_what_was_asked_to_a_narrower_cross_tabulation():
    titles = [
        "Resident Population Aged 65 Years and Over in Resident Households by Living Arrangements",
        "Singapore Residents By Age Group, Ethnic Group And Sex, Annual",
    ]
    fused = {0: 0.64, 1: 0.60}  # the narrower table is the closer embedding match
    out = rescore(fused, _signals(2, titles=titles), query_intent("singapore population by age group"))
    assert out[1] > out[0]
    # Without titles, with a name for a title (a research record's) or for a research description, the fusion's order.
    plain = rescore(fused, _signals(2), query_intent("singapore population by age group"))
    assert plain[0] > plain[1]
    named = rescore(fused, _signals(2, titles=["", ""]), query_intent("singapore population by age group"))
    assert named[0] > named[1]
    research = rescore(fused, _signals(2, titles=titles), query_intent("we propose a neural model of population age"))
    assert research[0] > research[1]


def test_unasked_share_reads_stems_the_catalog_terms_and_ignores_years_and_frequency():
    asked = asked_keys("jobs by industry")  # "jobs" asks for the catalog's "employment"
    assert unasked_share("Employment by Industry, Annual 2019", asked) == 0.0
    assert unasked_share("Employment by Industry and Sex", asked) == pytest.approx(1 / 3)
    assert unasked_share("Residential property prices", asked_keys("resident prices")) == pytest.approx(1 / 3)
    assert unasked_share("", asked) == 0.0


def test_freshness_from_age():
    assert freshness_from_age(0) == 1.0
    assert freshness_from_age(730) == pytest.approx(0.5)
    assert freshness_from_age(None) == 0.0


# --- explanations ----------------------------------------------------------------------------


def test_explain_title_match_meaning_and_singapore():
    doc = DocFields(title="Resale Flat Prices", description="Resale transactions of HDB flats.")
    reasons = explain(
        query="resale prices in Singapore",
        doc=doc,
        lexical=5.0,
        neural=0.7,
        is_singapore=True,
    )
    assert reasons[0] == "title matches 'resale', 'prices'"
    assert "similar in meaning to your query" in reasons
    assert "from a Singapore source" in reasons


def test_explain_publisher_and_broken_link():
    doc = DocFields(title="Carpark information", publisher="Housing and Development Board")
    reasons = explain(query="HDB carparks", doc=doc, neural=0.2, link_broken=True, max_reasons=5)
    assert "published by Housing and Development Board" in reasons
    assert "link currently broken" in reasons


def test_explain_always_says_something():
    assert explain(query="zzz", doc=DocFields(title="Rainfall")) == ["related to your query"]


# --- similar datasets ------------------------------------------------------------------------


def test_near_duplicates_by_cosine_or_title():
    assert is_near_duplicate("A", "B", 0.99)
    assert is_near_duplicate("Hawker Centres (KML)", "Hawker Centres (GEOJSON)", 0.5)
    assert not is_near_duplicate("Hawker Centres", "Dengue Clusters", 0.8)
    assert normalise_title("Dengue Clusters (KML)") == "dengue clusters"
    assert is_near_duplicate("Hawker Centres - CSV", "Hawker Centres (GEOJSON)", 0.5)
    assert normalise_title("Exchange rates - API rates") == "exchange rates api rates"  # only a trailing suffix


def test_feedback_query_vector_moves_towards_the_top_hits_and_stays_normalised():
    q = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    hits = np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]], dtype=np.float32)
    v = feedback_query_vector(q, hits, weight=0.6)
    assert np.linalg.norm(v) == pytest.approx(1.0, abs=1e-6)
    assert v[1] > 0 and v[0] > v[1]
    assert np.array_equal(feedback_query_vector(q, np.zeros((0, 3), dtype=np.float32)), q)


def test_the_rows_fed_back_are_the_best_of_the_first_pass_with_bm25():
    from search.ranking.pipeline import FEEDBACK_DOCS, _feedback_rows

    rows = np.arange(10, 20)
    direct = np.linspace(0.80, 0.78, 10).astype(np.float32)  # row 10 nearest (by a little), row 19 farthest
    # BM25 finds rows 11, 12 and 13 (the words of the query), not the nearest vector (row 10): they are fed back
    picked = _feedback_rows(rows, direct, {11: 9.0, 12: 8.0, 13: 7.0}, "rent of a flat")
    assert picked.tolist() == [1, 2, 3][:FEEDBACK_DOCS]  # positions of rows 11-13 in ``rows``
    # ... a document only BM25 found (not among the dense rows) cannot be fed back
    assert set(_feedback_rows(rows, direct, {99: 9.0}, "rent").tolist()) <= set(range(10))


# --- catalog popularity ----------------------------------------------------------------------


def _pwc(title, description="", source_titles=()):
    return DocFields(title=title, description=description, source_titles=list(source_titles))


def test_catalog_mentions_counts_other_records_that_name_a_dataset():
    docs = [
        _pwc("ImageNet", "A large image database."),
        _pwc("Tiny-ImageNet", "A subset of ImageNet with 200 classes. Images from ImageNet are resized."),
        _pwc("ImageNet-R", "Renditions of the ImageNet classes.", ["Benchmarking robustness on ImageNet"]),
        _pwc("COCO", "Objects in context; pre-training on ImageNet helps. See also Tiny-ImageNet."),
        _pwc("Places", "Scenes. Unrelated to imagenet in lower case."),
    ]
    counts = catalog_mentions(docs)
    # Each mentioning record counts once, a record never counts for itself, matching is case-sensitive.
    assert counts.tolist() == [3, 1, 0, 0, 0]


def test_catalog_mentions_ignores_sentence_starts_and_partial_titles():
    docs = [
        _pwc("Note", "Readings per hour."),
        _pwc("Rainfall", "Note: values in mm. Hourly totals."),
        _pwc("Image网", "Chinese images."),
        _pwc("Photos", "More Image data, from Image网 and Rainfall gauges."),
    ]
    counts = catalog_mentions(docs)
    assert counts[0] == 0  # "Note:" starts a sentence
    assert counts[2] == 1  # only the full name "Image网", never the bare "Image"
    assert counts[1] == 1


def test_mention_links_list_whom_each_record_names_and_not_a_family_naming_itself():
    docs = [
        _pwc("Cityscapes", "Urban street scenes."),
        _pwc("Foggy Cityscapes", "Fog added to the images of Cityscapes. Compared with KITTI."),
        _pwc("KITTI", "Driving scenes; unlike Cityscapes it has lidar."),
        _pwc("Recycling Bins (KML)", "Location of Recycling Bins."),
        _pwc("Recycling Bins", "Location of Recycling Bins, as a table."),
    ]
    links = mention_links(docs, family=[0, 0, 0, 7, 7])
    assert [links.mentioned_by(j).tolist() for j in range(len(docs))] == [[], [0, 2], [0], [], []]
    assert links.counts().tolist() == [2, 0, 1, 0, 0]
    # Without families the KML layer "mentions" its own table.
    assert mention_links(docs).mentioned_by(3).tolist() == [4]


def test_mentioned_by_hits_raises_the_candidates_the_best_hits_name():
    links = MentionLinks(np.array([0, 1, 2, 2, 2, 3]), np.array([3, 3, 2], dtype=np.int32))
    order = {0: 0.9, 1: 0.8, 2: 0.5, 3: 0.4}
    out = mentioned_by_hits(order, links, weight=0.2, hits=2)
    # Docs 0 and 1 (the two best) both name doc 3; doc 4 names doc 2 but is no candidate, so it counts for nothing.
    assert out[3] == pytest.approx(0.4 + 0.2 * np.log(3))
    assert out[2] == order[2] and out[0] == order[0]
    assert mentioned_by_hits(order, links, weight=0.0) == order
    # A record named only by a weak candidate does not move.
    assert mentioned_by_hits({0: 0.9, 4: 0.1, 2: 0.5}, links, weight=0.2, hits=1)[2] == 0.5


def test_mention_links_follow_a_moved_row_and_cover_added_rows():
    links = MentionLinks(np.array([0, 1, 2, 2]), np.array([2, 2], dtype=np.int32))
    moved = links.moved({2: 4}, added=2)
    assert [moved.mentioned_by(j).tolist() for j in range(5)] == [[4], [4], [], [], []]
    assert links.indices.tolist() == [2, 2]  # the base version's arrays are shared, never changed


def test_catalog_popularity_is_bounded_and_monotonic():
    docs = [_pwc("KITTI")] + [_pwc(f"Set {i}", f"Built on KITTI scenes, part {i}.") for i in range(30)]
    docs.append(_pwc("Cityscapes", "Urban scenes."))
    docs.append(_pwc("Other", "Compared with Cityscapes results."))
    pop = catalog_popularity(docs, cap=20)
    assert pop.dtype == np.float32
    assert pop[0] == pytest.approx(1.0)  # 30 mentions, capped
    assert 0.0 < pop[-2] < 0.5  # one mention
    assert pop[1] == 0.0
    assert (pop >= 0).all() and (pop <= 1).all()


def test_rescore_popularity_reorders_close_candidates_only_where_known():
    signals = _signals(2, popularity=np.array([1.0, 0.0], dtype=np.float32))
    out = rescore({0: 0.60, 1: 0.66}, signals, QueryIntent())
    assert out[0] > out[1]
    far = rescore({0: 0.30, 1: 0.66}, signals, QueryIntent())
    assert far[1] > far[0]
    reported = rescore({0: 0.60, 1: 0.66}, signals, QueryIntent(), params=REPORTED_SCORE_RESCORE)
    assert reported[1] > reported[0]
    unknown = _signals(2)
    unknown.popularity = None
    assert rescore({0: 0.60, 1: 0.66}, unknown, QueryIntent()) == rescore(
        {0: 0.60, 1: 0.66}, _signals(2), QueryIntent()
    )


def test_explain_mentions_popularity():
    doc = DocFields(title="ImageNet", description="Images.")
    assert "often mentioned by other datasets" in explain(query="image classification", doc=doc, popularity=0.9)
    assert "often mentioned by other datasets" not in explain(query="image classification", doc=doc, popularity=0.1)


# --- the pipeline ----------------------------------------------------------------------------


class _Lexical:
    def __init__(self, scores):
        self._scores = np.asarray(scores, dtype=np.float32)

    def scores(self, query):
        return self._scores


def _unit(*rows):
    m = np.asarray(rows, dtype=np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_pipeline_components_and_the_similarity_floor():
    embeddings = _unit([1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0.05, 0, 1])
    query = np.array([1, 0, 0], dtype=np.float32)
    common = {
        "query": "rainfall",
        "vector": query,
        "embeddings": embeddings,
        "lexical_index": _Lexical([0, 0, 2.0, 0]),
        "signals": _signals(4),
        "mask": np.ones(4, dtype=bool),
        "min_similarity": 0.15,
    }
    fused_only = rank(**common, components=Components(feedback=False, rescoring=False, rare_words=False))
    assert fused_only.lexical == {2: 2.0}
    assert set(fused_only.similarity) == {0, 1, 2, 3}
    # Doc 3 is found only by the neural side and barely similar to the query: fused, but not a match.
    fused = fuse(fused_only.lexical, fused_only.neural, query="rainfall")
    assert fused_only.order == {i: s for i, s in fused.items() if i != 3}
    full = rank(**common)
    assert set(full.order) == {0, 1, 2}
    assert full.order[0] > full.order[1]
    assert full.similarity == fused_only.similarity  # the feedback pass never changes the reported side
    assert rank(**common, components=Components(rescore_params=RescoreParams(popularity=0.0))).order.keys() == {0, 1, 2}
    masked = rank(**{**common, "mask": np.array([False, True, True, True])})
    assert 0 not in masked.order and 0 not in masked.neural


def test_a_short_querys_rare_word_puts_the_few_records_that_contain_it_first():
    # Doc 2 alone contains the word; the embedding (which does not know it) prefers docs 0 and 1.
    embeddings = _unit(*([1, 0, 0] for _ in range(8)), [0, 1, 0])
    common = {
        "vector": np.array([1, 0, 0], dtype=np.float32),
        "embeddings": embeddings,
        "signals": _signals(9),
        "mask": np.ones(9, dtype=bool),
        "min_similarity": 0.15,
    }
    rare = rank(query="zqmoplkjhq", lexical_index=_Lexical([0] * 8 + [2.0]), **common)
    assert max(rare.order, key=rare.order.get) == 8
    off = rank(query="zqmoplkjhq", lexical_index=_Lexical([0] * 8 + [2.0]), components=Components(rare_words=False),
               **common)  # fmt: skip
    assert max(off.order, key=off.order.get) != 8
    # A word many records contain is no such clue, and neither is one word of a longer description.
    common_word = rank(query="rainfall", lexical_index=_Lexical([1.0] * 6 + [0, 0, 2.0]), **common)
    assert max(common_word.order, key=common_word.order.get) != 8
    sentence = rank(query="daily zqmoplkjhq readings per station", lexical_index=_Lexical([0] * 8 + [2.0]), **common)
    assert max(sentence.order, key=sentence.order.get) != 8
