"""Refinements: follow-up messages merged with the conversation's previous search (pure, no Django).

``apply_refinement("only the CSV ones", previous)`` returns the new search (query, filters, page,
sort, similar_to_rank) plus human-readable ``changes``; ``describe_refinement`` turns it into the
reply's first line ("Showing only CSV datasets for 'HDB resale prices'").

Decisions where the issue is silent:

* A filter or topic change resets the page to 1; paging keeps everything else.
* "what about schools?" / "and for schools?" / "same but for schools" replace the *topic* and keep the
  filters ("about 'schools' instead"); "only health-related ones" / "narrow it to health" *narrow*
  the topic by appending the words to the previous query.
* A bare year ("what about 2020?", "2020 only") sets year_from = year_to = 2020; "since 2015" /
  "after 2019" set only year_from (2015 / 2020); "before 2000" sets year_to 1999; "in the last 5
  years" sets year_from to the current year minus 5.
* "most recent", "newest first", "latest", "any newer ones?" sort by recency (sort="recent");
  "by relevance" restores sort="relevance".
* "more like the second one" / "similar to result 3" / "anything like the first?" give
  similar_to_rank (1-based rank in the previous results); a rank past the results is refused with a
  note in ``changes`` and similar_to_rank stays None.
* ``extract_filters`` (first searches) is conservative: it strips a year / year range, a file format
  (not "API", which is often part of a dataset's name) and "from/by <agency or source>"; topic words
  and place names stay in the query.

Modules: ``parsed`` (what a message says), ``facets`` (one extractor per filter or navigation kind),
``parser`` (``parse``: the extractors in order), ``apply`` (merge into the previous search, describe
it), ``query`` (a first search's query and inline filters).
"""

from __future__ import annotations

from conversation.refine.apply import Refinement, apply_refinement, describe_refinement
from conversation.refine.parsed import FILTER_KEYS, SORT_RECENT, SORT_RELEVANCE, Parsed
from conversation.refine.parser import parse
from conversation.refine.query import clean_query, extract_filters

__all__ = [
    "FILTER_KEYS",
    "SORT_RECENT",
    "SORT_RELEVANCE",
    "Parsed",
    "Refinement",
    "apply_refinement",
    "clean_query",
    "describe_refinement",
    "extract_filters",
    "parse",
]
