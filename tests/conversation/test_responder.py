"""The built-in responder: deterministic, varied, grounded, honest when nothing fits."""

from __future__ import annotations

import re

import pytest

from conversation.responder import (
    builtin_answer,
    capabilities_reply,
    out_of_scope_reply,
    search_elsewhere_links,
    smalltalk_reply,
)

from .conftest import hit


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s]


def test_answer_is_deterministic_and_grounded(results):
    first = builtin_answer(query="hdb resale prices", results=results, total=42)
    again = builtin_answer(query="hdb resale prices", results=results, total=42)
    assert first.to_dict() == again.to_dict()
    assert 2 <= len(sentences(first.summary)) <= 5
    assert "of 42 matches" in first.summary
    assert "HDB Resale Flat Prices" in first.summary
    assert [p["id"] for p in first.picks] == [101, 102, 103]
    assert all(p["why"].endswith(".") and p["url"].startswith("https://data.gov.sg/") for p in first.picks)
    assert "Housing & Development Board" in first.picks[0]["why"]
    assert "2017–2024" in first.picks[0]["why"]
    assert first.search_elsewhere == [] and not first.nothing_good


def test_phrasing_varies_with_the_query(results):
    queries = ["housing", "resale flats", "hdb prices", "rental market", "flat types", "property", "homes"]
    openings = {sentences(builtin_answer(query=q, results=results).summary)[0].split("“")[0] for q in queries}
    assert len(openings) >= 3


def test_broken_links_are_mentioned(results):
    results[1]["link_status"] = "broken"
    answer = builtin_answer(query="hdb", results=results)
    assert "did not respond" in answer.summary
    assert "did not respond" in answer.picks[1]["why"]


def test_weak_results_get_an_honest_answer_with_external_searches(settings, results):
    settings.ASSISTANT_WEAK_SCORE = 0.9
    answer = builtin_answer(query="laptop prices", results=results)
    assert answer.nothing_good
    assert "laptop prices" in answer.summary
    assert "loosely related" in answer.summary or "with caution" in answer.summary
    assert [link["name"] for link in answer.search_elsewhere][:2] == ["data.gov.sg", "World Bank Data Catalog"]
    text = answer.to_text()
    assert "external searches, not results from our catalog" in text
    assert "https://www.kaggle.com/datasets?search=laptop+prices" in text


def test_empty_results(results):
    answer = builtin_answer(query="quantum foam", results=[])
    assert answer.nothing_good and answer.picks == []
    assert len(answer.search_elsewhere) == 5
    assert 2 <= len(sentences(answer.summary)) <= 5


def test_search_elsewhere_list_is_configurable(settings):
    settings.SEARCH_ELSEWHERE = ["kaggle", "unknown", "Zenodo|https://zenodo.org/search?q={query}", "Bad|ftp://x"]
    links = search_elsewhere_links("sea level")
    assert [(link["name"], link["url"]) for link in links] == [
        ("Kaggle", "https://www.kaggle.com/datasets?search=sea+level"),
        ("Zenodo", "https://zenodo.org/search?q=sea+level"),
    ]
    assert links[1]["label"] == "Search Zenodo for “sea level”" and links[1]["external"] is True


def test_smalltalk_replies():
    assert "Hello" in smalltalk_reply("hello") or "Hi" in smalltalk_reply("hello") or "Hey" in smalltalk_reply("hello")
    assert smalltalk_reply("thanks a lot") != smalltalk_reply("hello")
    assert any(w in smalltalk_reply("bye!") for w in ("Goodbye", "Bye", "Take care"))
    assert smalltalk_reply("hello") == smalltalk_reply("hello")


@pytest.mark.django_db
def test_capabilities_replies_by_topic():
    from catalog.models import Source
    from tests.factories import DatasetFactory, SourceFactory

    source = SourceFactory(slug="worldbank", name="World Bank", kind=Source.Kind.INTERNATIONAL)
    DatasetFactory.create_batch(3, source=source)
    DatasetFactory(source=source, status="inactive")
    assert "World Bank (3 datasets)" in capabilities_reply("which sources do you cover?")
    assert "BM25" in capabilities_reply("how does ranking work?")
    assert "/api/conversation" in capabilities_reply("do you have an API?")
    assert "only the CSV ones" in capabilities_reply("what filters can I use")
    # the sources asked about beside a word a filter question uses too; undated records; what a conversation keeps
    assert "World Bank (3 datasets)" in capabilities_reply("Which sources do you cover? Only Singapore or the world too?")
    assert "dates not stated" in capabilities_reply("what happens to undated datasets when I filter by year?")
    assert "History" in capabilities_reply("do you remember my last search?")
    general = capabilities_reply("what can you do?")
    assert "World Bank (3 datasets)" in general and "refine" in general


def test_out_of_scope_offers_what_we_have():
    plain = out_of_scope_reply("book me a flight")
    assert "datasets" in plain
    related = out_of_scope_reply("laptop prices?", [hit(7, "Consumer Price Index (CPI)", publisher="SingStat")])
    assert "“Consumer Price Index (CPI)” from SingStat" in related
