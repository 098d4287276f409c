"""``parse``: a message's filters, paging, sorting, "more like N" and topic, one facet at a time."""

from __future__ import annotations

import datetime as dt

from conversation.nlu import normalise
from conversation.refine import facets
from conversation.refine.parsed import Parsed


def parse(message: str, *, current_year: int | None = None) -> Parsed:
    """Pull filters, paging, sorting and "more like N" out of a message.

    The agency is read twice: anywhere (``publisher``, refinements) and, for first searches, only after
    "from/by/only/just" (``strict_publisher``); the first reading decides which words are taken out.
    """
    p = Parsed()
    t = facets.WORD_DASH_YEAR_RE.sub(r"\1 \2", " " + normalise(message) + " ")
    p.text = t.strip()
    t = facets.take_clear(t, p)
    t = facets.take_similar(t, p)
    t = facets.take_paging(t, p)
    t = facets.take_sort(t, p)
    t = facets.take_years(t, p, current_year or dt.date.today().year)
    t = facets.take_source(t, p)
    t = facets.take_publisher(t, p)
    t = facets.take_formats(t, p)
    t = facets.take_geography(t, p)
    facets.take_topic(t, p)
    return p
