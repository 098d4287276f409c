"""A researcher's description of an idea: detected, mapped to task/modality labels, and re-scored with
the research records' labels and a stronger popularity prior (pure functions, no database, no model)."""

from __future__ import annotations

import numpy as np

from search.index.loaded import LabelNames, MultiValued
from search.ranking import DocSignals, QueryIntent, RescoreParams, query_intent, rescore
from search.ranking.research import labels_match, research_query


def test_a_method_description_is_research_and_names_its_task_and_modality():
    q = research_query("We propose a convolutional network for semantic segmentation of street images.")
    assert q.research
    assert q.tasks == ("Semantic segmentation",)
    assert "Images" in q.modalities


def test_a_task_phrase_alone_makes_a_research_query():
    q = research_query("machine translation")
    assert q.research and q.tasks == ("Machine translation",)


def test_everyday_queries_are_not_research_even_when_they_name_a_data_type():
    for text in (
        "digitised books, maps and photos from Singapore's national library",
        "park connector network",
        "average number of daily passengers on trains and buses",
        "how much rain fell each month",
        "",
    ):
        assert not research_query(text).research, text


def test_query_intent_carries_the_research_reading():
    intent = query_intent("I want to train a model for speech recognition")
    assert intent.research and intent.tasks == ("Speech recognition",)
    assert not query_intent("hdb resale prices").research


def test_labels_match_prefers_tasks_and_falls_back_to_modalities():
    assert labels_match(("Object detection",), ("Images",), ["Object detection"], [])
    # The query names a task: a record with only the same modality does not match.
    assert not labels_match(("Object detection",), ("Images",), [], ["Images"])
    assert labels_match((), ("Images",), [], ["Images", "Video"])
    assert not labels_match((), (), ["Object detection"], ["Images"])


def _signals(tasks, modalities, popularity):
    s = DocSignals.neutral(len(tasks))
    s.tasks, s.modalities = tasks, modalities
    s.popularity = np.array(popularity, dtype=np.float32)
    return s


def test_rescore_lifts_the_record_with_the_research_task_label():
    signals = _signals([[], ["Object detection"]], [["Images"], ["Images"]], [0.0, 0.0])
    intent = QueryIntent(research=True, tasks=("Object detection",), modalities=("Images",))
    params = RescoreParams(research_label=0.05, research_popularity=0.0)
    out = rescore({0: 0.70, 1: 0.68}, signals, intent, params=params)
    assert out[1] > out[0]
    assert abs((out[1] - out[0]) - 0.03) < 1e-6
    # Not a research query: labels play no part.
    plain = rescore({0: 0.70, 1: 0.68}, signals, QueryIntent(tasks=("Object detection",)), params=params)
    assert plain[0] > plain[1]


def test_rescore_counts_popularity_more_for_a_research_description():
    signals = _signals([[], []], [[], []], [0.0, 1.0])
    params = RescoreParams(popularity=0.2, research_popularity=0.15, research_label=0.0)
    plain = rescore({0: 0.0, 1: 0.0}, signals, QueryIntent(), params=params)
    research = rescore({0: 0.0, 1: 0.0}, signals, QueryIntent(research=True), params=params)
    assert abs((plain[1] - plain[0]) - 0.2) < 1e-6
    assert abs((research[1] - research[0]) - 0.35) < 1e-6


def test_rescore_without_labels_known_is_unchanged():
    signals = DocSignals.neutral(2)  # tasks/modalities None: e.g. a corpus without research records
    intent = QueryIntent(research=True, tasks=("Object detection",))
    params = RescoreParams(research_label=0.5)
    assert rescore({0: 0.7, 1: 0.6}, signals, intent, params=params) == rescore(
        {0: 0.7, 1: 0.6}, signals, intent, params=RescoreParams(research_label=0.0)
    )


def test_label_names_read_each_document_from_the_csr_arrays():
    field = MultiValued(np.array([0, 0, 2, 3]), np.array([1, 0, 1], dtype=np.int32), 2)
    names = LabelNames(field, ["Images", "Text"])
    assert len(names) == 3
    assert names[0] == [] and names[1] == ["Text", "Images"] and names[2] == ["Text"]
