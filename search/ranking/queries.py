"""Reading a query: request boilerplate to drop, tokens that name things."""

from __future__ import annotations

import re

from search.ranking.synonyms import expand_query
from search.text import STOPWORDS

_WS_RE = re.compile(r"\s+")
_LEAD_RE = re.compile(
    r"""^\s*(?:[-*]\s*)?
    (?:(?:i|we)(?:'d|\s+would)?\s+(?:want|wanted|like|need|plan|aim|propose|present|introduce|study|investigate|
        explore|are\s+(?:interested|looking|trying|working)|am\s+(?:interested|looking|trying|working))
       (?:\s+(?:in|on|for|at))?
       (?:\s+to)?
       (?:\s+(?:build|design|develop|create|make|train|use|implement|propose|study|find|investigate|explore|
            evaluate|improve|learn|get|see|know))?
       (?:\s+(?:a|an|the|some))?
       (?:\s+(?:novel|new|simple|robust|efficient|deep|fast|better))?
       (?:\s+(?:system|model|method|framework|approach|algorithm|architecture|technique|network|pipeline|tool))?
       (?:\s+(?:that|which|to|for|of|on|in|with|using|based\s+on))?
     )(?![\w-])  # whole words only: "an object" is not "a" + "n object", "explore methods" not "explore" + "methods"
    """,
    re.I | re.X,
)


def preprocess_query(query: str) -> str:
    """Drop a full sentence's request boilerplate ("I want to build a system that ...")."""
    q = _WS_RE.sub(" ", (query or "").replace("\n", " ")).strip()
    stripped = _LEAD_RE.sub("", q, count=1).strip()
    return stripped if len(stripped) >= 3 else q


# The home country named in a query ("... in Singapore", "Singapore's ..."): on this catalog a place, not a
# topic. The embedding reads "how many doctors are there in Singapore" as a question about Singapore's
# population tables; the ranking's geographic intent (search.ranking.intent) already carries the place,
# and BM25 still sees the word. A demonym ("Singaporeans") stays: it names people, often the subject.
_HOME_COUNTRY_RE = re.compile(
    r"(?:\b(?:in|for|of|across|within|around|throughout)\s+)?\b(?:singapore(?:'s)?|sg)\b", re.I
)


def without_home_country(text: str) -> str:
    """``text`` without the home country's name, unless that leaves fewer than two words."""
    stripped = _WS_RE.sub(" ", _HOME_COUNTRY_RE.sub(" ", text)).strip(" ,")
    return stripped if len(re.findall(r"\w+", stripped)) >= 2 else text


def embedding_query(query: str, *, synonyms: bool = True) -> str:
    """What the embedder reads for a query: no request boilerplate nor the home country's name, and
    (``synonyms``) the catalog's terms for its everyday words appended (``search.ranking.synonyms``)."""
    text = without_home_country(preprocess_query(query))
    return expand_query(text) if synonyms else text


def lexical_query(query: str, *, synonyms: bool = True) -> str:
    """What BM25 scores for a query: the query, with the catalog's terms for its everyday words."""
    return expand_query(query) if synonyms else query


_NAME_TOKEN_RE = re.compile(r"\b(?:[A-Z][A-Za-z]*[A-Z0-9][A-Za-z0-9]*|[A-Za-z]+[-.]?\d+(?:\.\d+)?)\b")


def name_like_tokens(query: str) -> list[str]:
    """Tokens that look like names rather than words: acronyms, CamelCase, letters+digits ("PM2.5")."""
    out = []
    for m in _NAME_TOKEN_RE.finditer(query or ""):
        tok = m.group(0)
        if len(tok) >= 2 and tok.lower() not in STOPWORDS:
            out.append(tok)
    return out
