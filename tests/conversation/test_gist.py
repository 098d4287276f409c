"""Long messages are searched by their request (conversation.gist): what is asked for, without the story around it."""

from __future__ import annotations

import pytest

from conversation.gist import gist
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


def test_a_short_message_is_kept_whole():
    found = gist("hdb resale prices by town since 2017")
    assert not found.shortened and found.text == "hdb resale prices by town since 2017" and found.note == ""
