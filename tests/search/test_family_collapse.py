"""Collapsing a ranking by dataset family (search.ranking.families; pure, no database)."""

from __future__ import annotations

import numpy as np

from search.ranking.families import QueryTime, collapse, family_positions, query_time

# positions: 0,1 = one variants family (7); 2,3,4 = a series (9): 1990s, 2000s, 2017 onwards; 5 alone
FAMILY = np.array([7, 7, 9, 9, 9, 0])
SERIES = np.array([False, False, True, True, True, False])
START = np.array([-1, -1, 1990, 2000, 2017, -1], dtype=np.int16)
END = np.array([-1, -1, 1999, 2012, 9999, -1], dtype=np.int16)


NO_TIME = QueryTime()


def run(order, when=NO_TIME, mask=None, stand_ins=None):
    return collapse(
        order,
        FAMILY,
        series=SERIES,
        members=family_positions(FAMILY),
        mask=mask,
        year_start=START,
        year_end=END,
        when=when,
        stand_ins=stand_ins,
    )


def test_family_positions():
    members = family_positions(FAMILY)
    assert {k: v.tolist() for k, v in members.items()} == {7: [0, 1], 9: [2, 3, 4]}


def test_a_family_scores_as_its_best_member_once():
    assert run({0: 0.4, 1: 0.9, 5: 0.5}) == {1: 0.9, 5: 0.5}
    assert run({5: 0.2}) == {5: 0.2}
    assert run({}) == {}


def test_series_lead_fits_the_query_time_with_the_family_score():
    stand_ins: dict[int, int] = {}
    assert run({2: 0.8, 3: 0.6}, stand_ins=stand_ins) == {4: 0.8}  # no time: the current piece
    assert stand_ins == {4: 2}
    assert run({2: 0.8, 4: 0.3}, when=QueryTime(years=(2005,))) == {3: 0.8}
    assert run({4: 0.8}, when=QueryTime(year_to=1995)) == {2: 0.8}
    # a member the filters removed cannot lead
    mask = np.array([True, True, True, True, False, True])
    assert run({2: 0.8, 3: 0.6}, mask=mask) == {3: 0.8}


def test_query_time_reads_since_and_before():
    assert query_time("HDB resale prices since 2017") == QueryTime(year_from=2017)
    assert query_time("rainfall after 2019") == QueryTime(year_from=2020)
    assert query_time("census before 2000") == QueryTime(year_to=1999)
    assert query_time("population 2010", years=(2010,)) == QueryTime(years=(2010,))
    assert query_time("x since 2017", filters={"year_from": 2001}) == QueryTime(year_from=2001)
