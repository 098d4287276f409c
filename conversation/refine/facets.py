"""One extractor per facet of a follow-up message: each takes what it understands out of the text.

Every ``take_*`` function reads the normalised text ``t`` (padded with spaces), records what it found
on the ``Parsed`` and returns the text with those words blanked out, so the next extractor (and in
the end the topic) only sees what is left. ``parser.parse`` runs them in a fixed order.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from catalog.vocabulary import agency_aliases, ambiguous_aliases
from conversation import lexicon
from conversation.nlu import register_pattern_words
from conversation.refine.parsed import SORT_RECENT, SORT_RELEVANCE, Parsed

FILLER = lexicon.FILLER_WORDS
_ORDINALS = {**lexicon.ORDINAL_WORDS, **lexicon.CARDINAL_WORDS}
_NUMBER_WORD = rf"(?:\d{{1,2}}|{'|'.join(lexicon.CARDINAL_WORDS)})"
_ORD_WORD = rf"(?:{'|'.join(lexicon.ORDINAL_WORDS)}|last)"
YEAR = r"(?:19[0-9]{2}|20[0-9]{2}|2100)"


def _sub(pattern: re.Pattern, text: str, fn: Callable[[re.Match], object]) -> str:
    """Run ``fn(match)`` for each match of ``pattern`` and blank the match out."""

    def repl(m: re.Match) -> str:
        fn(m)
        return " "

    return pattern.sub(repl, text)


def _rank(word: str) -> int | None:
    word = word.strip("#")
    if word == "last":
        return -1
    if word.isdigit():
        return int(word)
    return _ORDINALS.get(word)


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _ORDINALS.get(word, 1)


def _alias_re(alias: str) -> str:
    return re.escape(alias).replace(r"\ ", r"\s+")


# --- clearing filters ----------------------------------------------------------------------------

_CLEAR_FILTER_RE = re.compile(
    r"\b(?:drop|remove|clear|reset|undo|forget|without|no more|get rid of|ignore|exclude|lose|cancel)\s+(?:the\s+|all\s+(?:the\s+)?|my\s+|any\s+)?"
    rf"(?P<what>{'|'.join(lexicon.FILTER_WORDS)})?\s*"
    r"(?:filters?|restrictions?|limits?|constraints?|range)\b"
)
_CLEAR_ALL_RE = re.compile(r"\b(?:start over|reset|show all|all results)\b")
_ANY_VALUE_RE = re.compile(
    r"\b(?:any|all|every)\s+(?P<what>format|formats|publisher|agency|source|sources|years|year|time)\b"
)


def take_clear(t: str, p: Parsed) -> str:
    def clear(m: re.Match) -> None:
        what = m.group("what") or ""
        p.clear.add(lexicon.FILTER_WORDS.get(what.strip(), "*"))

    t = _sub(_CLEAR_FILTER_RE, t, clear)
    t = _sub(_CLEAR_ALL_RE, t, lambda m: p.clear.add("*"))
    return _sub(_ANY_VALUE_RE, t, clear)


# --- similar to result N -------------------------------------------------------------------------

_SIMILAR_LEAD = r"(?:more|others?|ones?|something|anything|datasets?|results?|stuff)?\s*(?:just\s+|a\s+bit\s+)?(?:like|similar(?:\s+(?:ones|datasets|data|results|stuff|things))?\s+to|related\s+to|resembling)"
_SIMILAR_TARGET = rf"(?:the\s+|result\s+|number\s+|no\.?\s+|#\s*|item\s+|dataset\s+|option\s+)*(?P<n>{_ORD_WORD}|#?\d{{1,2}})(?:\s+(?:one|result|dataset|item|option|hit))?"
_SIMILAR_RE = re.compile(rf"\b{_SIMILAR_LEAD}\s+{_SIMILAR_TARGET}\b")
# "the third one looks good, anything like it?"
_NTH_ONE_RE = re.compile(rf"\b(?:the\s+)?(?P<n>{_ORD_WORD})\s+(?:one|result|dataset)\b")
_LIKE_IT_RE = re.compile(r"\b(?:like (?:it|that|this)|similar|more of (?:that|those|these))\b")
_LIKE_IT_WORDS_RE = re.compile(
    r"\b(?:anything|something|more|others?)?\s*(?:like (?:it|that|this)|similar(?: ones?)?)\b"
)
_LIKE_RESULT_N_RE = re.compile(r"\b(?:similar|like)\s+(?:to\s+)?(?:result|#)\s*(?P<n>\d{1,2})\b")


def take_similar(t: str, p: Parsed) -> str:
    t = _sub(_SIMILAR_RE, t, lambda m: setattr(p, "similar_rank", _rank(m.group("n"))))
    if p.similar_rank is not None:
        return t
    m = _NTH_ONE_RE.search(t)
    if m and _LIKE_IT_RE.search(t):
        p.similar_rank = _rank(m.group("n"))
        t = t[: m.start()] + " " + t[m.end() :]
        return _LIKE_IT_WORDS_RE.sub(" ", t)
    if m := _LIKE_RESULT_N_RE.search(t):
        p.similar_rank = int(m.group("n"))
        t = t[: m.start()] + " " + t[m.end() :]
    return t


# --- paging --------------------------------------------------------------------------------------

_PAGE_N_RE = re.compile(
    rf"\b(?:(?:go|jump|skip|return|back|take\s+me)\s+(?:back\s+)?to\s+(?:the\s+)?|show\s+(?:me\s+)?)?page\s+(?:number\s+)?(?P<n>\d{{1,3}}|{_NUMBER_WORD})\b"
)
_NTH_PAGE_RE = re.compile(r"\b(?P<n>first|second|third|fourth|fifth|1st|2nd|3rd|[4-9]th)\s+page\b")
_NEXT_PAGE_RE = re.compile(
    r"\b(?:(?:the|a)\s+)?(?:next|following)\s+(?:page|set|batch|results|ten|10|ones|lot)\b|^\s*(?:next|following)(?:\s+please)?\s*$"
)
_PREVIOUS_PAGE_RE = re.compile(
    r"\b(?:go\s+)?back\s+(?:a|one)\s+page\b|\b(?:the\s+)?(?:previous|prior|last|preceding)\s+page\b|\bpage\s+back\b|\bgo\s+back\b"
)
_MORE_RE = re.compile(
    r"^\s*(?:show\s+(?:me\s+)?|give\s+(?:me\s+)?|load\s+|see\s+|any\s+)?more(?:\s+(?:results|datasets|please|of\s+them|ones|options|hits))?\s*(?:please)?\s*$"
)


def take_paging(t: str, p: Parsed) -> str:
    t = _sub(_PAGE_N_RE, t, lambda m: setattr(p, "page", _number(m.group("n"))))
    t = _sub(_NTH_PAGE_RE, t, lambda m: setattr(p, "page", _ORDINALS.get(m.group("n"), 1)))
    t = _sub(_NEXT_PAGE_RE, t, lambda m: setattr(p, "page_delta", 1))
    t = _sub(_PREVIOUS_PAGE_RE, t, lambda m: setattr(p, "page_delta", -1))
    return _sub(_MORE_RE, t, lambda m: setattr(p, "page_delta", 1))


# --- sorting -------------------------------------------------------------------------------------

_SORT_RECENT_RE = re.compile(
    r"\b(?:sort(?:ed)?|order(?:ed)?|rank(?:ed)?)\s+(?:them\s+|it\s+|results\s+)?by\s+(?:the\s+)?(?:most\s+recent|recency|recent|newest|latest|date|last\s+updated|update\s+date|freshness|time)\b"
    r"|\b(?:newest|newer|latest|most\s+recent|recent|freshest|recently\s+updated)\s+(?:ones\s+|datasets\s+)?first\b"
    r"|\b(?:any|only|just|show(?:\s+me)?)?\s*(?:the\s+)?(?:newer|newest|latest|more\s+recent|most\s+recent|recently\s+updated|updated\s+recently|fresher)(?:\s+ones|\s+datasets|\s+data)?(?:\s+first)?\b"
)
_SORT_RELEVANCE_RE = re.compile(
    r"\b(?:sort(?:ed)?|order(?:ed)?|rank(?:ed)?)\s+(?:them\s+|it\s+|results\s+)?by\s+(?:relevance|relevancy|best\s+match|score)\b|\b(?:by|most)\s+relevan(?:ce|t)\b|\bbest\s+match(?:es)?\s+first\b"
)


def take_sort(t: str, p: Parsed) -> str:
    t = _sub(_SORT_RECENT_RE, t, lambda m: setattr(p, "sort", SORT_RECENT))
    return _sub(_SORT_RELEVANCE_RE, t, lambda m: setattr(p, "sort", SORT_RELEVANCE))


# --- years ---------------------------------------------------------------------------------------

WORD_DASH_YEAR_RE = re.compile(rf"\b([a-z]+)-({YEAR})\b")  # "pre-2010" -> "pre 2010"
_YEAR_RANGE_RE = re.compile(
    rf"\b(?:between|from|for|covering|in)?\s*(?P<a>{YEAR})\s*(?:-|to|and|until|till|through|thru)\s*(?P<b>{YEAR})\b"
)
_LAST_N_YEARS_RE = re.compile(
    rf"\b(?:in\s+|over\s+|for\s+|from\s+)?(?:the\s+)?(?:last|past|previous)\s+(?P<n>{_NUMBER_WORD})\s+years?\b"
)
_SINCE_RE = re.compile(
    rf"\b(?:since|after|post|starting(?:\s+(?:in|from))?|beginning)\s+(?P<y>{YEAR})(?:\s+(?:onwards?|on|and\s+later|and\s+after))?\b|\bfrom\s+(?P<y3>{YEAR})\s+(?:onwards?|on|and\s+later|and\s+after)\b|\b(?P<y2>{YEAR})\s+(?:onwards?|and\s+later|and\s+after|or\s+later)\b"
)
_AFTER_RE = re.compile(r"\s*(?:after|post)")
_UNTIL_RE = re.compile(
    rf"\b(?:before|until|till|up\s+to|prior\s+to|pre)\s+(?P<y>{YEAR})\b|\b(?P<y2>{YEAR})\s+(?:or\s+earlier|and\s+earlier|and\s+before)\b"
)
_BEFORE_RE = re.compile(r"\s*(?:before|prior|pre)")
_YEAR_RE = re.compile(rf"\b(?:in|for|of|from|during|covering|year)?\s*(?P<y>{YEAR})\b(?!\s*(?:-|/)\s*\d)")


def take_years(t: str, p: Parsed, year_now: int) -> str:
    def year_range(m: re.Match) -> None:
        a, b = int(m.group("a")), int(m.group("b"))
        p.year_from, p.year_to = min(a, b), max(a, b)

    def since(m: re.Match) -> None:
        if m.group("y"):  # "after 2019" starts in 2020
            p.year_from = int(m.group("y")) + (1 if _AFTER_RE.match(m.group(0)) else 0)
        else:
            p.year_from = int(m.group("y2") or m.group("y3"))

    def until(m: re.Match) -> None:
        if m.group("y"):  # "before 2000" ends in 1999
            p.year_to = int(m.group("y")) - (1 if _BEFORE_RE.match(m.group(0)) else 0)
        else:
            p.year_to = int(m.group("y2"))

    def year(m: re.Match) -> None:
        y = int(m.group("y"))
        p.year_from = y if p.year_from is None else min(p.year_from, y)
        p.year_to = y if p.year_to is None else max(p.year_to, y)

    t = _sub(_YEAR_RANGE_RE, t, year_range)
    t = _sub(_LAST_N_YEARS_RE, t, lambda m: setattr(p, "year_from", year_now - _number(m.group("n"))))
    t = _sub(_SINCE_RE, t, since)
    t = _sub(_UNTIL_RE, t, until)
    return _sub(_YEAR_RE, t, year)


# --- source and publisher ------------------------------------------------------------------------

# Longest alias first; ambiguous aliases ("who", "un") only after from/by/only/just.
_SOURCE_RES = [
    (
        alias,
        re.compile(rf"\b(?:from|by|only|just)\s+(?:the\s+)?{_alias_re(alias)}(?![\w])")
        if alias in lexicon.AMBIGUOUS_SOURCE_ALIASES
        else re.compile(rf"(?<![\w.])(?:the\s+)?{_alias_re(alias)}(?:'s)?(?![\w])"),
    )
    for alias in sorted(lexicon.SOURCE_ALIASES, key=len, reverse=True)
]


def take_source(t: str, p: Parsed) -> str:
    """The first source named (run before publishers: "lta datamall" is a source, "lta" a publisher)."""
    for alias, pattern in _SOURCE_RES:
        if pattern.search(t):
            p.source = lexicon.SOURCE_ALIASES[alias]
            return pattern.sub(" ", t)
    return t


_AGENCIES = agency_aliases()


def _agency_res(alias: str) -> tuple[re.Pattern, re.Pattern]:
    """(the alias anywhere, the alias after from/by/only/just/published by); ambiguous aliases need the lead."""
    after_lead = re.compile(rf"\b(?:from|by|only|just|published\s+by)\s+(?:the\s+)?{_alias_re(alias)}(?![\w*])")
    if alias in ambiguous_aliases():
        return after_lead, after_lead
    return re.compile(rf"(?<![\w*])(?:the\s+)?{_alias_re(alias)}(?![\w*])"), after_lead


_AGENCY_RES = [(alias, *_agency_res(alias)) for alias in sorted(_AGENCIES, key=len, reverse=True)]


_LEAD_WORD_RE = re.compile(r"\b(?:from|by|only|just|published)\b")


def take_publisher(t: str, p: Parsed) -> str:
    """The first agency named (longest alias first), and its strict reading (only after from/by/only/just)."""
    found: tuple[str, re.Pattern] | None = None
    strict = _LEAD_WORD_RE.search(t) is not None  # else no agency follows a lead word
    for alias, anywhere, after_lead in _AGENCY_RES:
        if strict and p.strict_publisher is None and after_lead.search(t):
            p.strict_publisher = _AGENCIES[alias]
        if found is None and anywhere.search(t):
            found = alias, anywhere
        if found is not None and (p.strict_publisher is not None or not strict):
            break
    if found is None:
        return t
    p.publisher = _AGENCIES[found[0]]
    return found[1].sub(" ", t)


# --- formats and geography -----------------------------------------------------------------------

_FORMAT_FAMILIES: dict[str, list[str]] = lexicon.table("targets.json")["format_families"]
# A word that names a family of formats takes all of them: "sdmx" is SDMX and SDMX-JSON, "spreadsheets" CSV and XLSX.
_FORMAT_RES = [
    (
        _FORMAT_FAMILIES.get(alias) or [lexicon.FORMAT_ALIASES[alias]],
        re.compile(
            rf"\b(?:in\s+|as\s+)?(?:an?\s+)?{re.escape(alias)}(?:\s+(?:format|files?|versions?|downloads?|only))?\b"
        ),
    )
    for alias in sorted(lexicon.FORMAT_ALIASES, key=len, reverse=True)
]


def take_formats(t: str, p: Parsed) -> str:
    for values, pattern in _FORMAT_RES:
        if pattern.search(t):
            p.formats.extend(v for v in values if v not in p.formats)
            t = pattern.sub(" ", t)
    return t


_GEO_WORDS = "|".join(sorted((re.escape(g) for g in lexicon.GEOGRAPHY_ALIASES), key=len, reverse=True))
_GEOGRAPHY_RE = re.compile(
    rf"\b(?:only|just|limit(?:ed)?\s+to|restrict(?:ed)?\s+to|within|in|for|about|covering)?\s*(?P<g>{_GEO_WORDS})(?:\s+(?:only|ones|datasets|data|coverage|level|wide))?\b"
)
_SPACES_RE = re.compile(r"\s+")


def take_geography(t: str, p: Parsed) -> str:
    def geography(m: re.Match) -> None:
        p.geography = lexicon.GEOGRAPHY_ALIASES[_SPACES_RE.sub(" ", m.group("g"))]

    return _sub(_GEOGRAPHY_RE, t, geography)


# --- topic ---------------------------------------------------------------------------------------

_FOLLOWUP_RE = re.compile(
    r"^(?:ok(?:ay)?\s+|so\s+|hmm+\s+|and\s+)?(?:what|how)\s+about\s+(?:for\s+|in\s+|with\s+)?(?P<x>.+)$"
    r"|^(?:and|also)\s+(?:for|in|with|on)?\s*(?P<y>.+)$"
    r"|^(?:same|the\s+same|do\s+the\s+same|same\s+thing|same\s+search|same\s+query)\s+(?:but\s+)?(?:for|in|with|on|about)\s+(?P<z>.+)$"
)
_NARROW_RE = re.compile(
    r"^(?:now\s+)?(?:only|just|narrow\s+(?:it|this|them|that)?\s*(?:down\s+)?to|limit\s+(?:it\s+|them\s+)?to|restrict\s+(?:it\s+|them\s+)?to|filter\s+(?:it\s+|them\s+)?(?:by|to|on))\s+(?P<x>.+)$"
)
_TOPIC_SUFFIX_RE = re.compile(r"[-\s]+(?:related|based|specific|focused)\b")
_SYMBOLS = frozenset({"#", "-", "+", "*", "/", "="})


def take_topic(t: str, p: Parsed) -> None:
    """What is left: a new topic ("what about X"), a narrower one ("only X ones") or residual words."""
    words = t.split()
    text_left = " ".join(words)
    if m := _FOLLOWUP_RE.match(text_left):
        x = (m.group("x") or m.group("y") or m.group("z") or "").strip()
        topic = [w for w in x.split() if w not in FILLER]
        if topic:
            p.followup_topic = " ".join(topic)
        words = []
    elif m := _NARROW_RE.match(text_left):
        topic = [w for w in _TOPIC_SUFFIX_RE.sub(" ", m.group("x")).split() if w not in FILLER]
        if topic:
            p.narrow_topic = " ".join(topic)
        words = []
    p.residual = [w for w in words if w not in FILLER and w not in _SYMBOLS and not w.isdigit()]


register_pattern_words(
    (
        WORD_DASH_YEAR_RE,
        _CLEAR_FILTER_RE,
        _CLEAR_ALL_RE,
        _ANY_VALUE_RE,
        _SIMILAR_RE,
        _NTH_ONE_RE,
        _LIKE_IT_RE,
        _LIKE_IT_WORDS_RE,
        _LIKE_RESULT_N_RE,
        _PAGE_N_RE,
        _NTH_PAGE_RE,
        _NEXT_PAGE_RE,
        _PREVIOUS_PAGE_RE,
        _MORE_RE,
        _SORT_RECENT_RE,
        _SORT_RELEVANCE_RE,
        _YEAR_RANGE_RE,
        _LAST_N_YEARS_RE,
        _SINCE_RE,
        _AFTER_RE,
        _UNTIL_RE,
        _BEFORE_RE,
        _YEAR_RE,
        _LEAD_WORD_RE,
        *(pattern for _, pattern in _SOURCE_RES),
        *(pattern for _, anywhere, after_lead in _AGENCY_RES for pattern in (anywhere, after_lead)),
        *(pattern for _, pattern in _FORMAT_RES),
        _GEOGRAPHY_RE,
        _FOLLOWUP_RE,
        _NARROW_RE,
        _TOPIC_SUFFIX_RE,
    )
)
