"""The conversation's explicit search state: include/exclude sets, chips, undo, old-state upgrade."""

from __future__ import annotations

from conversation.state import SearchState


def test_include_and_exclude_are_exclusive_and_removable():
    state = SearchState(query="resale prices")
    assert state.add("exclude", "publisher", "Urban Redevelopment Authority", "URA")
    assert state.values("exclude", "publisher") == ["Urban Redevelopment Authority"]
    # Including the same value moves it across: a value is never both in and out.
    assert state.add("include", "publisher", "urban redevelopment authority", "URA")
    assert state.values("exclude", "publisher") == []
    assert state.values("include", "publisher") == ["urban redevelopment authority"]
    assert not state.add("include", "publisher", "Urban Redevelopment Authority")  # already there
    removed = state.remove(None, "publisher", "URA")  # by label
    assert [r["mode"] for r in removed] == ["include"]
    assert not state.has_filters()


def test_chips_say_what_each_constraint_does():
    state = SearchState(query="rainfall", year_from=2019, year_to=2019, sort="recent")
    state.add("exclude", "format", "PDF")
    state.add("include", "publisher", "National Environment Agency", "NEA")
    state.add("include", "frequency", "monthly")
    texts = [chip.text for chip in state.chips()]
    assert texts == ["from NEA", "monthly only", "not PDF", "covering 2019", "most recent first"]
    public = state.public()
    assert public["chips"][0] == {
        "mode": "include", "facet": "publisher", "value": "National Environment Agency", "label": "NEA", "text": "from NEA",
    }  # fmt: skip
    assert "undo" not in public


def test_undo_restores_the_previous_state_and_pops_the_stack():
    state = SearchState(query="dengue")
    state.checkpoint()
    state.add("exclude", "publisher", "National Environment Agency", "NEA")
    state.checkpoint()
    state.add("include", "format", "CSV")
    assert state.restore_previous()
    assert state.values("include", "format") == []
    assert state.values("exclude", "publisher") == ["National Environment Agency"]
    assert state.restore_previous()
    assert not state.has_filters()
    assert not state.restore_previous()  # nothing left to undo


def test_undo_after_two_changes_to_one_facet_keeps_the_first():
    # "no KML", "drop SHP too", "undo": the second change appends to the list the first one made.
    state = SearchState(query="land use layers")
    for value in ("KML", "SHP"):
        state.checkpoint()
        state.add("exclude", "format", value)
        state = SearchState.from_dict(state.to_dict())  # stored between turns
    assert state.restore_previous()
    assert state.values("exclude", "format") == ["KML"]
    assert state.restore_previous()
    assert not state.has_filters()


def test_round_trip_and_upgrade_of_a_flat_filters_state():
    old = {"query": "taxi", "filters": {"format": "CSV,JSON", "year_from": 2015}, "page": 2, "result_ids": [3, 1]}
    state = SearchState.from_dict(old)
    assert state.values("include", "format") == ["CSV", "JSON"]
    assert (state.year_from, state.page, state.result_ids) == (2015, 2, [3, 1])
    again = SearchState.from_dict(state.to_dict())
    assert again.to_dict() == state.to_dict()


def test_garbage_in_the_stored_state_is_dropped_not_raised():
    state = SearchState.from_dict(
        {"query": None, "include": {"nonsense": ["x"], "format": [{"value": ""}, 7, "CSV"]}, "sort": "sideways",
         "page": "abc", "result_ids": ["4", "x", None], "undo": ["not a dict"]}
    )  # fmt: skip
    assert state.include == {"format": [{"value": "CSV", "label": "CSV"}]}
    assert (state.query, state.sort, state.page, state.result_ids, state.undo) == ("", "relevance", 1, [4], [])
