"""How much of a dataset's title says things the query does not ask for.

"singapore population by age group" wants "Singapore Residents By Age Group, Ethnic Group And Sex", not "Resident
Population Aged 65 Years and Over in Resident Households by Living Arrangements": both match the query's words, but
the second also narrows them to what nobody asked for. Re-scoring (``RescoreParams.title_extra``) lowers a title by
the share of its words the query does not ask for. Words compare by their first ``KEY_LETTERS`` letters after the
light stemmer (resident / residential, employ / employment); the query's side includes the catalog's terms for its
everyday words (``search.ranking.synonyms``: "jobs" asks for "employment"); years, numbers and
``search/data/title_generic_words.txt`` (where, how often) never count against a title.
"""

from __future__ import annotations

import re
from functools import lru_cache

from search.ranking.synonyms import expand_query
from search.text import QUERY_BOILERPLATE, STOPWORDS, stem, word_list

KEY_LETTERS = 5
_WORD_RE = re.compile(r"[a-z0-9]+")
_SKIP = STOPWORDS | QUERY_BOILERPLATE


def _keys(text: str) -> list[str]:
    """The keys of a text's meaningful words (a plain split: a cold title costs a few microseconds)."""
    return [stem(w)[:KEY_LETTERS] for w in _WORD_RE.findall(text.lower()) if len(w) > 1 and w not in _SKIP]


_GENERIC = frozenset(k for w in word_list("title_generic_words") for k in _keys(w))


def asked_keys(query: str) -> frozenset[str]:
    """The keys of the words a query asks for, its everyday words' catalog terms included."""
    return frozenset(_keys(expand_query(query or "")))


@lru_cache(maxsize=65536)
def _title_keys(title: str) -> tuple[str, ...]:
    return tuple(k for k in _keys(title or "") if not k.isdigit() and k not in _GENERIC)


def unasked_share(title: str, asked: frozenset[str]) -> float:
    """The share (0..1) of a title's meaningful words that the query does not ask for (0 for an empty title)."""
    keys = _title_keys(title)
    if not keys:
        return 0.0
    return sum(1 for k in keys if k not in asked) / len(keys)
