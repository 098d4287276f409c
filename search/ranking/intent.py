"""What a query says beyond its topic: Singapore or global, places, agencies, recency, years, and whether
it describes research (with the task and modality labels it names, ``search.ranking.research``).

Agencies come from the catalog's one table (``catalog.vocabulary``, ``catalog/data/agencies.json``):
a query names an agency by one of its aliases ("HDB", "housing board"); an alias that is an
ordinary word too ("pub", "mom") counts only when written in capitals ("PUB").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from catalog import vocabulary
from search.ranking.research import research_query
from search.ranking.titles import asked_keys
from search.text import content_words, normalize, word_list

SINGAPORE_PLACES = word_list("singapore_places")
# Words that imply a Singapore context on their own (local schemes and terms).
SINGAPORE_TERMS = word_list("singapore_terms")
GLOBAL_WORDS = word_list("global_words")
RECENCY_WORDS = word_list("recency_words")


@dataclass(frozen=True)
class QueryIntent:
    """What a query says beyond its topic."""

    geography: str = "none"  # "singapore", "global" or "none"
    places: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()  # aliases as in catalog/data/agencies.json, lower case ("hdb")
    recency: bool = False
    words: tuple[str, ...] = ()  # content words (stemmed)
    years: tuple[int, ...] = ()
    research: bool = False  # a researcher's description of an idea (``search.ranking.research``)
    tasks: tuple[str, ...] = ()  # research task labels the query names
    modalities: tuple[str, ...] = ()  # research modality labels the query names
    asked: frozenset[str] = frozenset()  # keys of the words it asks for (``search.ranking.titles``)


_YEAR_RE = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")


def _phrases(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", normalize(text))
    out = set(words)
    out.update(f"{a}-{b}" for a, b in zip(words, words[1:], strict=False))
    out.update(f"{a}-{b}-{c}" for a, b, c in zip(words, words[1:], words[2:], strict=False))
    return out


def query_intent(query: str) -> QueryIntent:
    """Geographic intent (Singapore / global / none), places, agencies, recency words and years."""
    phrases = _phrases(query)
    places = tuple(sorted(p for p in SINGAPORE_PLACES if p in phrases and p != "singapore"))
    agencies = tuple(sorted(_agencies(query, phrases)))
    sg_terms = phrases & SINGAPORE_TERMS
    is_global = bool(phrases & GLOBAL_WORDS)
    if "singapore" in phrases or "sg" in phrases or places or agencies or sg_terms:
        geography = "singapore"
    elif is_global:
        geography = "global"
    else:
        geography = "none"
    if is_global and "singapore" not in phrases and not places:
        geography = "global"
    recency = bool(phrases & RECENCY_WORDS) and "new-york" not in phrases
    years = tuple(sorted({int(y) for y in _YEAR_RE.findall(query or "")}))
    research = research_query(query)
    return QueryIntent(
        geography=geography,
        places=tuple(p.replace("-", " ") for p in places),
        agencies=agencies,
        recency=recency,
        words=tuple(content_words(query)),
        years=years,
        research=research.research,
        tasks=research.tasks,
        modalities=research.modalities,
        asked=asked_keys(query),
    )


_PHRASE_WORDS = 3  # _phrases holds word n-grams up to this length
_NAME_FILLER = frozenset({"and", "of", "the", "for", "&"})


def _name_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", normalize(text).replace("&", " and ")) if w not in _NAME_FILLER]


@cache
def _agency_by_alias() -> dict[str, vocabulary.Agency]:
    """Every alias, and every agency's lower-cased name, -> its agency."""
    table: dict[str, vocabulary.Agency] = {}
    for agency in vocabulary.agencies():
        table[agency.name.lower()] = agency
        for alias in agency.aliases:
            table[alias] = agency
    return table


@cache
def _alias_finders() -> tuple[dict[str, str], tuple[tuple[re.Pattern[str], str], ...]]:
    """How to find each alias in a query: by its query phrase ("housing-board", see ``_phrases``), or,
    for an alias with other characters than letters, digits and spaces ("a*star"), as written."""
    by_phrase: dict[str, str] = {}
    literal: list[tuple[re.Pattern[str], str]] = []
    for agency in vocabulary.agencies():
        for alias in agency.aliases:
            words = re.findall(r"[a-z0-9]+", normalize(alias))
            if " ".join(words) == alias and len(words) <= _PHRASE_WORDS:
                by_phrase["-".join(words)] = alias
            else:
                spaced = r"\s+".join(re.escape(part) for part in alias.split())
                literal.append((re.compile(rf"(?<![a-z0-9]){spaced}(?![a-z0-9])"), alias))
    return by_phrase, tuple(literal)


def _agencies(query: str, phrases: set[str]) -> set[str]:
    """Aliases of agencies the query names (lower case); ambiguous ones only when written in capitals."""
    ambiguous = vocabulary.ambiguous_aliases()
    by_phrase, literal = _alias_finders()
    folded = normalize(query)
    found = {alias for phrase, alias in by_phrase.items() if phrase in phrases}
    found |= {alias for pattern, alias in literal if pattern.search(folded)}
    in_caps = {w.lower() for w in re.findall(r"\b[A-Z]{2,}\b", query or "")}
    return {a for a in found if a not in ambiguous} | (in_caps & ambiguous)


@cache
def _agency_names(alias: str) -> tuple[str, ...]:
    """The forms of an agency's name (its alias, catalog name and ``matches``) as name words."""
    agency = _agency_by_alias().get(alias)
    forms = (alias,) if agency is None else (alias, agency.name, *agency.matches)
    return tuple(name for name in (" ".join(_name_words(form)) for form in forms) if name)


def publisher_matches(publisher: str, agencies: Iterable[str]) -> bool:
    """Whether a publisher is one of the agencies: by an alias among its words ("HDB"), or by the
    agency's name or another form of it (``catalog/data/agencies.json``)."""
    words = _name_words(publisher)
    if not words:
        return False
    joined = " ".join(words)
    return any(re.search(rf"(?:^| ){re.escape(name)}(?: |$)", joined) for a in agencies for name in _agency_names(a))
