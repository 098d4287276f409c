"""Misspelt query words read as the catalog's closest name words (search.ranking.spelling)."""

from __future__ import annotations

from search.lexical import LexicalIndex
from search.ranking.documents import DocFields
from search.ranking.spelling import corrections, spelled
from search.text import stem

DOCS = [
    DocFields(title="Annual Electricity Tariffs", description="Low tension tariffs by component."),
    DocFields(title="Monthly Electricity Tariffs", description="Tariffs for households, 2005 onwards."),
    DocFields(title="Marriages by Age Group", description="Civil and Muslim marriages."),
    DocFields(title="Waymo Open Dataset", description="Autonomous driving scenes recorded by Waymo."),
    DocFields(title="Hospital Admissions", description="Admissions to public hospitals."),
]


def test_a_word_no_record_holds_gains_the_closest_name_word():
    index = LexicalIndex.build(DOCS)
    # one edit, and two from seven letters on ("tarrifs" is "tariff" rather than "marri...", which shares no beginning)
    # (stemmed as the index holds them: "electricity" is "electr", a slip in a stem's dropped ending still finds it)
    assert corrections("electricty tarrifs singapore", index) == {"electricty": stem("electricity"), "tarrifs": "tariff"}
    assert corrections("hospitl admissions", index) == {"hospitl": stem("hospital")}
    assert spelled("hospitl admissions", index) == f"hospitl admissions {stem('hospital')}"  # the user's word stays


def test_known_short_and_far_off_words_are_left_alone():
    index = LexicalIndex.build(DOCS)
    assert corrections("waymo driving scenes", index) == {}  # known words, in any field
    assert corrections("coe erp", index) == {}  # too short to tell from a code
    assert corrections("qwertyuiop asdfghjkl", index) == {}  # nothing within reach
    assert spelled("", index) == ""
