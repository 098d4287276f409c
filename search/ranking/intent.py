"""What a query says beyond its topic: Singapore or global, places, agencies, recency, years."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from search.text import content_words, normalize, word_list

# Agency acronyms -> words of the publisher's name (matched against normalised publisher names).
AGENCIES: dict[str, str] = {
    "hdb": "housing development board",
    "lta": "land transport authority",
    "ura": "urban redevelopment authority",
    "nea": "national environment agency",
    "moh": "ministry of health",
    "moe": "ministry of education",
    "mom": "ministry of manpower",
    "msf": "ministry of social and family development",
    "mof": "ministry of finance",
    "mnd": "ministry of national development",
    "mti": "ministry of trade and industry",
    "mot": "ministry of transport",
    "mha": "ministry of home affairs",
    "mindef": "ministry of defence",
    "mccy": "ministry of culture community and youth",
    "mse": "ministry of sustainability and the environment",
    "mddi": "ministry of digital development and information",
    "mci": "ministry of communications and information",
    "singstat": "department of statistics",
    "dos": "department of statistics",
    "mas": "monetary authority of singapore",
    "cpf": "central provident fund",
    "iras": "inland revenue authority",
    "nparks": "national parks board",
    "pub": "public utilities board",
    "sla": "singapore land authority",
    "edb": "economic development board",
    "ica": "immigration and checkpoints authority",
    "spf": "singapore police force",
    "scdf": "singapore civil defence force",
    "nlb": "national library board",
    "nhb": "national heritage board",
    "stb": "singapore tourism board",
    "ema": "energy market authority",
    "imda": "infocomm media development authority",
    "caas": "civil aviation authority",
    "mpa": "maritime and port authority",
    "sfa": "singapore food agency",
    "acra": "accounting and corporate regulatory authority",
    "hpb": "health promotion board",
    "ssg": "skillsfuture singapore",
    "wsg": "workforce singapore",
    "jtc": "jtc corporation",
    "boa": "board of architects",
    "cea": "council for estate agencies",
    "sportsg": "sport singapore",
    "hsa": "health sciences authority",
    "ecda": "early childhood development agency",
    "gebiz": "ministry of finance",
}

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
    agencies: tuple[str, ...] = ()  # acronyms as written, lower-case ("hdb")
    recency: bool = False
    words: tuple[str, ...] = ()  # content words (stemmed)
    years: tuple[int, ...] = ()


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
    agencies = tuple(sorted({a for a in AGENCIES if a in phrases and a not in _AMBIGUOUS} | _agencies_in_caps(query)))
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
    return QueryIntent(
        geography=geography,
        places=tuple(p.replace("-", " ") for p in places),
        agencies=agencies,
        recency=recency,
        words=tuple(content_words(query)),
        years=years,
    )


# Acronyms that are ordinary English words too; only counted when written in capitals.
_AMBIGUOUS = frozenset({"pub", "mom", "dos", "ema", "mas", "mot", "hsa", "boa", "ica", "sla", "cea"})


def _agencies_in_caps(query: str) -> set[str]:
    return {w.lower() for w in re.findall(r"\b[A-Z]{2,}\b", query or "") if w.lower() in _AMBIGUOUS}


_NAME_FILLER = frozenset({"and", "of", "the", "for", "&"})


def _name_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", normalize(text).replace("&", " and ")) if w not in _NAME_FILLER]


def publisher_matches(publisher: str, agencies: Iterable[str]) -> bool:
    """Whether a publisher is one of the agencies, by acronym ("HDB") or by full name."""
    words = _name_words(publisher)
    if not words:
        return False
    joined = " ".join(words)
    for a in agencies:
        if a in words:
            return True
        name = " ".join(_name_words(AGENCIES.get(a, a)))
        if name and re.search(rf"(?:^| ){re.escape(name)}(?: |$)", joined):
            return True
    return False
