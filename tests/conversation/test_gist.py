"""Long messages are searched by their request (conversation.gist): what is asked for, without the story around it."""

from __future__ import annotations

import pytest

from conversation.followup.parse import parse_followup
from conversation.gist import closing_question, followup_request, gist
from search.services import MAX_QUERY_CHARS

STORY = (
    "I have been volunteering at the library for some years now, and the children there keep me busy with their "
    "questions about the world, which I rarely know how to answer. "
) * 4


@pytest.mark.parametrize(
    ("message", "wanted", "unwanted"),
    [
        # the request put to the assistant, without its polite lead-in
        (STORY + "So, if it is no trouble, could you please find me some records of rainfall in Singapore over the "
         "years? Thank you kindly.", "records of rainfall in singapore", "could you"),
        # a request about the writer's own plans does not outweigh the one put to the assistant
        (STORY + "I would like to write a long article for our newsletter about the many volunteers who help the "
         "children with homework on weekday afternoons and weekends. I would be grateful if you could find me "
         "figures on library visits.", "figures on library visits", "newsletter"),
        # what the writer does not want is not the request
        (STORY + "We need monthly electricity consumption by household type. We would not wish to exclude the "
         "older annual series, should there be any.", "electricity consumption", "annual series"),
        # "what I am hoping to find is ..."
        (STORY + "What I am hoping to find, if you would be so kind, is information about hawker centre closures.",
         "hawker centre closures", "hoping"),
    ],
)  # fmt: skip
def test_a_long_message_is_searched_by_what_it_asks_for(message, wanted, unwanted):
    found = gist(message)
    assert found.shortened and len(found.text) <= MAX_QUERY_CHARS
    assert wanted in found.text.lower() and unwanted not in found.text.lower()


def test_a_long_message_keeps_its_request_s_main_clause_apart():
    found = gist(STORY + "What I need is GDP - ideally in one currency so I can compare countries, but the rest helps too.")
    assert found.request == "What I need is GDP"
    assert "one currency" in found.text  # the search still reads the whole request
    assert gist("rainfall by month").request == ""


def test_a_short_message_is_kept_whole():
    found = gist("hdb resale prices by town since 2017")
    assert not found.shortened and found.text == "hdb resale prices by town since 2017" and found.note == ""


_STORY = (
    "Thanks, that helps. Some background first: I teach a night class on urban data and my students are mostly "
    "working adults who have never opened a data portal, so I keep the material simple and I try not to overload them "
    "with files they will never use. Last term a few of them downloaded the wrong tables and spent an evening confused, "
    "which I would rather not repeat. "
)


@pytest.mark.parametrize(
    ("message", "asked"),
    [
        (_STORY + "So could you please drop the KML layers from what you showed me - they only confuse people. Thanks!",
         "drop the KML layers from what you showed me"),
        (_STORY + "What I'd like you to do is: bring the NEA tables back, but keep the API feeds out, because the class "
         "has no keys. Please don't start a new search, the topic is the same.",
         "bring the NEA tables back, but keep the API feeds out"),
    ],
)
def test_a_long_follow_up_is_read_by_the_sentence_that_asks_for_the_change(message, asked):
    assert followup_request(message) == asked


def test_a_long_follow_up_changes_only_what_it_asks():
    parsed = parse_followup(_STORY + "So please just remove the Landsat ones and keep the rest. Cheers.")
    assert [(s.mode, s.phrase) for s in parsed.scopes if not s.soft] == [("exclude", "the landsat")]
    assert followup_request("please drop the KML layers") is None  # short: read whole


def test_a_long_message_with_results_on_screen_is_read_by_its_change():
    short = gist(_STORY + "So could you please drop the KML layers from what you showed me - they only confuse people.", followup=True)
    assert short.followup and short.text == "drop the KML layers from what you showed me"
    assert "acted on its request" in short.note
    assert not gist(_STORY + "I need rainfall data.", followup=False).followup


def test_bullets_are_clauses_and_a_chatty_message_is_its_closing_question():
    assert gist("- tell me more about JW300\n- link?", followup=True).text == "tell me more about JW300; link?"
    assert gist("-NEA -SingStat", followup=True).text == "-NEA -SingStat"  # exclusions, not bullets
    story = "Do you know, my first job was at the old power station. Smelled terrible. Anyway - what formats does the first one come in?"
    assert closing_question(story) == "what formats does the first one come in?"
    assert closing_question("what formats does the first one come in?") is None  # one sentence: read whole
    assert closing_question("I used to cycle past that reservoir. Lovely times.") is None
