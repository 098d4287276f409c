"""Refinements merged with the previous search, inline filters of first searches, and the reply line."""

from __future__ import annotations

import datetime as dt

import pytest

from conversation.refine import Refinement, apply_refinement, clean_query, describe_refinement, extract_filters, parse
from conversation.router import classify

PREVIOUS = {
    "query": "HDB resale prices",
    "filters": {"publisher": "Housing and Development Board"},
    "page": 2,
    "sort": "relevance",
    "result_ids": [11, 12, 13, 14, 15],
}
HDB = "Housing and Development Board"


@pytest.mark.parametrize(
    ("message", "filters", "change"),
    [
        ("only the CSV ones", {"publisher": HDB, "format": "CSV"}, "Showing only CSV datasets"),
        ("csv only", {"publisher": HDB, "format": "CSV"}, "Showing only CSV datasets"),
        ("geojson please", {"publisher": HDB, "format": "GEOJSON"}, "Showing only GEOJSON datasets"),
        ("any in shapefile format?", {"publisher": HDB, "format": "SHP"}, "Showing only SHP datasets"),
        ("excel files only", {"publisher": HDB, "format": "XLSX"}, "Showing only XLSX datasets"),
        ("olny csv", {"publisher": HDB, "format": "CSV"}, "Showing only CSV datasets"),
        ("just from NEA", {"publisher": "National Environment Agency"}, "from National Environment Agency"),
        ("by LTA", {"publisher": "Land Transport Authority"}, "from Land Transport Authority"),
        ("any from URA?", {"publisher": "Urban Redevelopment Authority"}, "from Urban Redevelopment Authority"),
        ("only from SLA", {"publisher": "Singapore Land Authority"}, "from Singapore Land Authority"),
        ("what about ones from MOH", {"publisher": "Ministry of Health"}, "from Ministry of Health"),
        ("only MOE datasets", {"publisher": "Ministry of Education"}, "from Ministry of Education"),
        (
            "from singstat",
            {"publisher": "Singapore Department of Statistics"},
            "from Singapore Department of Statistics",
        ),
        ("from DOS", {"publisher": "Singapore Department of Statistics"}, "from Singapore Department of Statistics"),
        ("from the statistics department", {"publisher": "Singapore Department of Statistics"}, "from Singapore"),
        ("only data.gov.sg", {"publisher": HDB, "source": "datagovsg"}, "from data.gov.sg"),
        ("from the World Bank", {"publisher": HDB, "source": "worldbank"}, "from the World Bank"),
        ("only LTA DataMall", {"publisher": HDB, "source": "lta-datamall"}, "from LTA DataMall"),
        ("what about 2020?", {"publisher": HDB, "year_from": 2020, "year_to": 2020}, "covering 2020"),
        ("2020 only", {"publisher": HDB, "year_from": 2020, "year_to": 2020}, "covering 2020"),
        ("since 2015", {"publisher": HDB, "year_from": 2015}, "covering 2015 onwards"),
        ("after 2019", {"publisher": HDB, "year_from": 2020}, "covering 2020 onwards"),
        ("before 2000", {"publisher": HDB, "year_to": 1999}, "covering up to 1999"),
        ("pre-2010", {"publisher": HDB, "year_to": 2009}, "covering up to 2009"),
        ("between 2010 and 2015", {"publisher": HDB, "year_from": 2010, "year_to": 2015}, "covering 2010\u20132015"),
        ("from 2018 to 2022", {"publisher": HDB, "year_from": 2018, "year_to": 2022}, "covering 2018\u20132022"),
        ("2015-2020", {"publisher": HDB, "year_from": 2015, "year_to": 2020}, "covering 2015\u20132020"),
        ("only Singapore", {"publisher": HDB, "geography": "singapore"}, "covering Singapore"),
        ("global ones", {"publisher": HDB, "geography": "global"}, "with global coverage"),
        ("worldwide only", {"publisher": HDB, "geography": "global"}, "with global coverage"),
        ("clear filters", {}, "with all filters cleared"),
        ("drop the publisher filter", {}, "without the publisher filter"),
    ],
)
def test_filter_refinements_merge_with_previous(message, filters, change):
    r = apply_refinement(message, PREVIOUS)
    assert r.query == "HDB resale prices"
    assert r.filters == filters
    assert r.page == 1  # a filter change starts again from the first page
    assert r.sort == "relevance"
    assert r.similar_to_rank is None
    assert any(c.startswith(change) for c in r.changes), r.changes


def test_last_n_years_counts_back_from_this_year():
    r = apply_refinement("in the last 5 years", PREVIOUS)
    assert r.filters["year_from"] == dt.date.today().year - 5
    assert "year_to" not in r.filters


@pytest.mark.parametrize(
    ("message", "page"),
    [
        ("next page", 3),
        ("nxt page", 3),
        ("more results", 3),
        ("show me more", 3),
        ("previous page", 1),
        ("go back a page", 1),
        ("page 5", 5),
        ("pg 4", 4),
        ("back to page 1", 1),
        ("third page", 3),
    ],
)
def test_paging_keeps_query_filters_and_sort(message, page):
    r = apply_refinement(message, PREVIOUS)
    assert (r.query, r.filters, r.sort, r.page) == ("HDB resale prices", {"publisher": HDB}, "relevance", page)
    assert r.changes == [f"page {page}"]


def test_previous_page_never_goes_below_one():
    assert apply_refinement("previous page", {**PREVIOUS, "page": 1}).page == 1


@pytest.mark.parametrize(
    ("message", "sort"),
    [
        ("sort by most recent", "recent"),
        ("newest first", "recent"),
        ("order by date", "recent"),
        ("any newer ones?", "recent"),
        ("latest first", "recent"),
    ],
)
def test_sorting(message, sort):
    r = apply_refinement(message, PREVIOUS)
    assert r.sort == sort
    assert r.page == 1
    assert r.changes == ["sorted by most recent"]
    back = apply_refinement("sort by relevance", {**PREVIOUS, "sort": "recent"})
    assert back.sort == "relevance"
    assert back.changes == ["sorted by relevance"]


@pytest.mark.parametrize(
    ("message", "rank"),
    [
        ("more like the second one", 2),
        ("similar to result 3", 3),
        ("anything similar to the first?", 1),
        ("more like #2", 2),
        ("the third one looks good, anything like it?", 3),
        ("find similar datasets to number 5", 5),
        ("more like the last one", 5),
    ],
)
def test_more_like_result_n(message, rank):
    r = apply_refinement(message, PREVIOUS)
    assert r.similar_to_rank == rank
    assert r.query == "HDB resale prices"
    assert describe_refinement(r).startswith(f"Showing datasets similar to result {rank}")


def test_more_like_a_result_that_does_not_exist_is_refused():
    r = apply_refinement("similar to result 9", PREVIOUS)
    assert r.similar_to_rank is None
    assert "There is no result 9" in describe_refinement(r)


@pytest.mark.parametrize(
    ("message", "query", "change"),
    [
        ("what about schools?", "schools", "about 'schools' instead"),
        ("and for schools?", "schools", "about 'schools' instead"),
        ("how about for private property?", "private property", "about 'private property' instead"),
        ("only health-related ones", "HDB resale prices health", "narrowed to 'health'"),
        ("narrow it to health", "HDB resale prices health", "narrowed to 'health'"),
    ],
)
def test_topic_changes_keep_the_filters(message, query, change):
    r = apply_refinement(message, PREVIOUS)
    assert r.query == query
    assert r.filters == {"publisher": HDB}
    assert r.page == 1
    assert change in r.changes


def test_combined_refinement():
    r = apply_refinement("only the ones in csv and from 2020", PREVIOUS)
    assert r.filters == {"publisher": HDB, "format": "CSV", "year_from": 2020, "year_to": 2020}
    assert describe_refinement(r) == "Showing only CSV datasets covering 2020 for 'HDB resale prices'"


def test_multi_turn_state_accumulates():
    """Each refinement becomes the next turn's state, as conversation.state does."""
    state = {"query": "rainfall", "filters": {}, "page": 1, "sort": "relevance", "result_ids": [1, 2, 3]}
    turns = [
        ("only the CSV ones", {"format": "CSV"}, 1, "relevance"),
        ("just from NEA", {"format": "CSV", "publisher": "National Environment Agency"}, 1, "relevance"),
        (
            "since 2015",
            {"format": "CSV", "publisher": "National Environment Agency", "year_from": 2015},
            1,
            "relevance",
        ),
        ("next page", {"format": "CSV", "publisher": "National Environment Agency", "year_from": 2015}, 2, "relevance"),
        (
            "sort by most recent",
            {"format": "CSV", "publisher": "National Environment Agency", "year_from": 2015},
            1,
            "recent",
        ),
        (
            "what about 2020?",
            {"format": "CSV", "publisher": "National Environment Agency", "year_from": 2020, "year_to": 2020},
            1,
            "recent",
        ),
        ("drop the year filter", {"format": "CSV", "publisher": "National Environment Agency"}, 1, "recent"),
        ("geojson please", {"format": "GEOJSON", "publisher": "National Environment Agency"}, 1, "recent"),
        ("clear filters", {}, 1, "recent"),
    ]
    for message, filters, page, sort in turns:
        r = apply_refinement(message, state)
        assert (r.query, r.filters, r.page, r.sort) == ("rainfall", filters, page, sort), message
        state = {**r.to_dict(), "result_ids": [1, 2, 3]}


def test_refinement_does_not_mutate_previous_state():
    previous = {"query": "x", "filters": {"format": "CSV"}, "page": 1, "sort": "relevance", "result_ids": []}
    apply_refinement("just from NEA", previous)
    assert previous["filters"] == {"format": "CSV"}


def test_empty_previous_state_is_tolerated():
    r = apply_refinement("only csv", {})
    assert r == Refinement(
        query="",
        filters={"format": "CSV"},
        page=1,
        sort="relevance",
        similar_to_rank=None,
        changes=["Showing only CSV datasets"],
    )


@pytest.mark.parametrize(
    ("refinement", "line"),
    [
        (
            Refinement("HDB resale prices", {"format": "CSV"}, changes=["Showing only CSV datasets"]),
            "Showing only CSV datasets for 'HDB resale prices'",
        ),
        (
            Refinement("rainfall", {}, changes=["from National Environment Agency", "covering 2020"]),
            "Showing results from National Environment Agency covering 2020 for 'rainfall'",
        ),
        (Refinement("rainfall", {}, page=2, changes=["page 2"]), "Showing results page 2 for 'rainfall'"),
        (Refinement("schools", {}, changes=["about 'schools' instead"]), "Showing results about 'schools' instead"),
        (Refinement("rainfall", {}, changes=[]), "Showing results for 'rainfall'"),
    ],
)
def test_describe_refinement(refinement, line):
    assert describe_refinement(refinement) == line


@pytest.mark.parametrize(
    ("message", "query", "filters"),
    [
        ("rainfall 2023 csv", "rainfall", {"year_from": 2023, "year_to": 2023, "format": "CSV"}),
        (
            "rainfall between 2010 and 2015 in csv format",
            "rainfall",
            {"year_from": 2010, "year_to": 2015, "format": "CSV"},
        ),
        ("hdb resale geojson", "hdb resale", {"format": "GEOJSON"}),
        # a word for a family of formats takes all of them
        ("balance of payments, imf sdmx", "balance of payments, imf", {"format": ["SDMX", "SDMX-JSON"]}),
        (
            "show me rainfall data from NEA in 2020",
            "rainfall data",
            {"year_from": 2020, "year_to": 2020, "publisher": "National Environment Agency"},
        ),
        ("need csv of bus stops", "bus stops", {"format": "CSV"}),
        # conservative: topic words, places, "API" and bare agency names stay in the query
        ("taxi availability api", "taxi availability api", {}),
        ("crime statistics singapore", "crime statistics singapore", {}),
        ("NEA datasets", "NEA datasets", {}),
        ("covid-19 cases", "covid-19 cases", {}),
        ("energy", "energy", {}),
        # only filters: no topic left
        ("only the CSV ones", "", {"format": "CSV"}),
        ("2020 only", "", {"year_from": 2020, "year_to": 2020}),
    ],
)
def test_extract_filters(message, query, filters):
    assert extract_filters(message) == (query, filters)
    # A first search reuses the router's parse of the message.
    assert extract_filters(message, parsed=classify(message).parsed) == (query, filters)


def test_one_parse_reads_the_agency_both_ways():
    bare, after_from = parse("NEA datasets"), parse("datasets from NEA")
    assert (bare.publisher, bare.strict_publisher) == ("National Environment Agency", None)
    assert after_from.publisher == after_from.strict_publisher == "National Environment Agency"


def test_a_refinement_reuses_the_routers_parse_of_the_message():
    routed = classify("thanks, how about for schools?", has_previous_search=True)
    assert routed.intent == "refine"
    r = apply_refinement("thanks, how about for schools?", PREVIOUS, parsed=routed.parsed)
    assert r.query == "schools"
    assert r.filters == PREVIOUS["filters"]


@pytest.mark.parametrize(
    ("message", "query"),
    [
        ("thanks, now show me rainfall data", "rainfall data"),
        ("What data do you have on dengue?", "dengue"),
        ("hi, I'm looking for air pollution data", "air pollution data"),
        ("hello! do you have any data on HDB flats?", "HDB flats"),
        (
            "I need data about public transport usage patterns in Singapore",
            "public transport usage patterns in Singapore",
        ),
        ("housing data?", "housing data"),
        ("Singapore transport datasets?", "Singapore transport datasets"),
    ],
)
def test_clean_query_removes_request_phrasing_only(message, query):
    assert clean_query(message) == query
