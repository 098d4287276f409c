"""Post-processing of model output: only datasets in the results may be named."""

from __future__ import annotations

import json

import pytest

from conversation.grounding import answer_from_model, text_ground

from .conftest import hit


@pytest.fixture
def cpi_results() -> list[dict]:
    return [
        hit(7, "Consumer Price Index (CPI), 2019 As Base Year", publisher="Singapore Department of Statistics"),
        hit(8, "Merchandise Imports and Exports by Commodity", publisher="Singapore Department of Statistics"),
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "The “Global Laptop Price Index” is better.",
        'Try "Laptop Prices 2024" instead.',
        "See **Electronics Retail Survey** for details.",
        "Dataset [3] covers laptops.",
        "Download it from https://example.com/laptops.csv today.",
        "The record with id 4242 has laptop prices.",
        "Look up d_0123456789abcdef0123456789abcdef on the portal.",
        "The Singapore Laptop Price Index tracks this.",
        "World Bank Electronics Trade Statistics would help.",
    ],
)
def test_ungrounded_sentences_are_removed(sentence, cpi_results):
    kept = "[1] tracks prices of household goods."
    assert text_ground(f"{sentence} {kept}", cpi_results) == (
        "“Consumer Price Index (CPI), 2019 As Base Year” tracks prices of household goods."
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "The Consumer Price Index [1] includes computers.",
        "The “Consumer Price Index” covers electronics.",
        "Singapore Department of Statistics publishes both.",
        "Imports and Exports data [2] show trade in computers.",
        "See https://data.gov.sg/datasets/d_00000000000000000000000000000007/view for the files.",
        "Dataset id 7 is the closest.",
    ],
)
def test_grounded_sentences_are_kept(sentence, cpi_results):
    assert text_ground(sentence, cpi_results)


def test_fenced_json_and_pick_validation(cpi_results):
    raw = (
        "```json\n"
        + json.dumps(
            {
                "summary": "Nothing tracks laptop prices directly. [1] includes computers in its basket.",
                "picks": [{"ref": 1, "why": "Includes computers."}, {"ref": 1}, {"ref": "x"}, {"ref": 5}, "junk"],
            }
        )
        + "\n```"
    )
    answer = answer_from_model(raw, query="laptop prices", results=cpi_results, weak=True, provider="t")
    assert answer.summary.startswith("Nothing tracks laptop prices directly.")
    assert [p["id"] for p in answer.picks] == [7]
    assert answer.picks[0]["title"] == cpi_results[0]["title"]
    assert answer.nothing_good and answer.search_elsewhere  # weak results always link elsewhere


def test_summary_is_capped_at_five_sentences(cpi_results):
    raw = json.dumps({"summary": " ".join(f"Sentence number {i} is fine." for i in range(9)), "picks": []})
    answer = answer_from_model(raw, query="q", results=cpi_results, weak=False, provider="t")
    assert answer.summary.count(".") == 5
    assert [p["id"] for p in answer.picks] == [7, 8]  # no valid picks: taken from the results


def test_nothing_grounded_left_is_rejected(cpi_results):
    raw = json.dumps({"summary": "Use the “Laptop Price Tracker” (id 999).", "picks": [{"ref": 1}]})
    assert answer_from_model(raw, query="q", results=cpi_results, weak=False, provider="t") is None


@pytest.mark.django_db
def test_real_catalog_titles_outside_the_results_are_removed(catalog):
    from search.services import search

    results = [h.to_dict() for h in search(query="dengue cases").results[:1]]
    assert results[0]["title"] == "Weekly Number of Dengue Cases"
    text = (
        "[1] counts dengue cases every week. "
        "For context, renting out of flats may matter too. "  # a real catalog title, not a result
        "Pair it with the pollutant standards index psi readings."
    )
    assert text_ground(text, results) == "“Weekly Number of Dengue Cases” counts dengue cases every week."
