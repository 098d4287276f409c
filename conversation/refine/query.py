"""The query and inline filters of a first search (request phrasing and filter words taken out)."""

from __future__ import annotations

import re

from catalog.vocabulary import agency_aliases
from conversation import lexicon
from conversation.nlu import normalise, register_pattern_words
from conversation.refine.facets import FILLER, YEAR
from conversation.refine.parsed import Parsed
from conversation.refine.parser import parse

_LEAD_PLEASANTRY_RE = re.compile(
    r"(?i)^\s*(?:hi|hello|hey|hiya|yo|thanks|thank you|thx|ok|okay|alright|great|cool|perfect|nice|good (?:morning|afternoon"
    r"|evening)|morning)(?:\s+(?:there|again|so much|a lot))?\s*[,.!:;\-]+\s*"
)
_REQUEST_PREFIX_RE = re.compile(
    r"(?i)^(?:(?:and|so|now|also|ok|okay|then)\s+)*(?:"
    r"(?:can|could|would|will)\s+you\s+(?:please\s+)?(?:show|find|give|get|fetch|pull\s+up|look\s+up|search\s+for"
    r"|search|look\s+for|list)(?:\s+me)?"
    r"|(?:please\s+|pls\s+|plz\s+)?(?:show|find|give|get|fetch|list)(?:\s+me)?"
    r"|(?:i\s+am|i'm|im|we\s+are|we're)\s+(?:looking|searching|hunting)\s+for"
    r"|(?:(?:i|we)\s+)?(?:really\s+)?(?:need|want|would\s+like|'d\s+like)(?:\s+to\s+(?:find|see|get|look\s+at))?"
    r"|(?:do|does)\s+(?:you|anyone)\s+have(?:\s+any(?:thing)?)?(?:\s+(?:on|about|for|regarding))?"
    r"|(?:are|is)\s+there(?:\s+any(?:thing)?)?(?:\s+(?:on|about|for|regarding))?"
    r"|where\s+can\s+i\s+(?:find|get|download)"
    r"|what\s+(?:data|datasets|information|info|stats|statistics)\s+(?:do\s+you\s+have|is\s+there|are\s+there|exist)"
    r"(?:\s+(?:on|about|for|regarding))?"
    r"|(?:search|look)\s+(?:for|up)|new\s+search:?|any(?:thing)?\s+(?:on|about|regarding)"
    r")\s+"
)
_DATA_ON_RE = re.compile(
    r"(?i)^(?:some\s+|any\s+)?(?:data|datasets?|data\s+sets?|info|information)\s+(?:on|about|regarding|related\s+to|concerning"
    r"|covering)\s+(?:the\s+)?"
)
_TRAIL_RE = re.compile(r"(?i)[\s,]*(?:please|pls|plz|thanks|thank you|instead)?\s*[?.!]*\s*$")


def clean_query(message: str) -> str:
    """The topic of a search request: leading pleasantries and request phrasing removed, casing kept.

    "thanks, now show me rainfall data" -> "rainfall data"; "What data do you have on dengue?" -> "dengue".
    """
    text = message.strip()
    for _ in range(3):
        new = _LEAD_PLEASANTRY_RE.sub("", text)
        if new == text:
            break
        text = new
    stripped = _REQUEST_PREFIX_RE.sub("", text, count=1)
    stripped = _DATA_ON_RE.sub("", stripped, count=1)
    text = stripped if stripped.strip() else text
    text = _TRAIL_RE.sub("", text)
    return text.strip() or message.strip()


_GENERIC_RE = re.compile(r"\b(?:data\s*sets?|data|results?|files?|ones)\b")
_SPACES_RE = re.compile(r"\s+")
# The wording of filters taken out of a first search (original casing, so case-insensitive).
_YEARS_WORDING_RE = re.compile(
    rf"(?i)\b(?:(?:between|from|since|after|before|until|in|for|during|of)\s+)?{YEAR}(?:\s*(?:-|to|and|until)\s*{YEAR})?(?:\s+(?:onwards?|only))?\b"
)
_FORMAT_WORDING_RES = [
    (
        value,
        re.compile(
            rf"(?i)\b(?:(?:in|as)\s+)?(?:an?\s+)?{re.escape(alias)}(?:\s+(?:format|files?|versions?|only))?(?:\s+of)?\b"
        ),
    )
    for alias, value in lexicon.FORMAT_ALIASES.items()
]
_AGENCY_WORDING_RES = [
    (name, re.compile(rf"(?i)\b(?:from|by|published\s+by)\s+(?:the\s+)?{re.escape(alias)}\b"))
    for alias, name in agency_aliases().items()
]


def extract_filters(message: str, *, parsed: Parsed | None = None) -> tuple[str, dict]:
    """Inline filters of a first search: ("rainfall 2023 csv") -> ("rainfall", {"year_from": 2023, ...}).

    Conservative: only years, file formats (not "API") and "from/by <agency|source>" are taken out;
    the rest of the message (with casing kept) stays the query. ``parsed`` is the router's parse of the
    message (``IntentResult.parsed``), else it is parsed here.
    """
    p = parsed if parsed is not None else parse(message)
    filters: dict = {}
    if p.year_from is not None:
        filters["year_from"] = p.year_from
    if p.year_to is not None:
        filters["year_to"] = p.year_to
    fmts = [f for f in p.formats if f != "API"]
    if fmts:
        filters["format"] = fmts[0] if len(fmts) == 1 else fmts  # "imf sdmx": SDMX or SDMX-JSON
    if p.strict_publisher:
        filters["publisher"] = p.strict_publisher
    # Remove the taken-out pieces from the original wording (keeps user casing for the query).
    text = " " + clean_query(message) + " "
    if "year_from" in filters or "year_to" in filters:
        text = _YEARS_WORDING_RE.sub(" ", text)
    for value, pattern in _FORMAT_WORDING_RES:
        if value in fmts:
            text = pattern.sub(" ", text)
    for name, pattern in _AGENCY_WORDING_RES:
        if name == p.strict_publisher:
            text = pattern.sub(" ", text)
    query = _SPACES_RE.sub(" ", text).strip(" ,.;:!?-")
    if all(w in FILLER for w in normalise(_GENERIC_RE.sub(" ", query)).split()):
        query = ""
    return query, filters


register_pattern_words(
    (
        _LEAD_PLEASANTRY_RE,
        _REQUEST_PREFIX_RE,
        _DATA_ON_RE,
        _TRAIL_RE,
        _GENERIC_RE,
        _YEARS_WORDING_RE,
        *(pattern for _, pattern in _FORMAT_WORDING_RES),
        *(pattern for _, pattern in _AGENCY_WORDING_RES),
    )
)
