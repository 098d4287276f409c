"""Time phrases of a follow-up: "covering 2019", "nothing that ends before 2010", "the 1990s", "last 5 years".

A window is a pair of inclusive years (either may be open). It filters by overlap with a dataset's
coverage; datasets without dates are kept and marked (the turn asks the search for undated=keep).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from conversation.lexicon import CARDINAL_WORDS

_Y = r"(?<!\w)(?<![a-z]-)((?:19|20)\d\d)(?!\w)(?!-[a-z])"  # not inside a name: "CoNLL-2003", "WMT2014"
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "fifteen": 15, "twenty": 20, "a couple of": 2, "a few": 3, "several": 5,
}  # fmt: skip
_NUM = r"(\d{1,2}|" + "|".join(re.escape(w) for w in _NUMBER_WORDS) + r")"
_COVID = r"(?:covid(?:-?19)?|coronavirus|pandemic|circuit breaker)"
_LEAD = r"(?:(?:only|just|data|stuff|datasets?|series|figures|numbers|ones|things|anything|something|records)\s+)*"


@dataclass(frozen=True)
class TimeWindow:
    year_from: int | None
    year_to: int | None
    phrase: str


def _n(text: str) -> int:
    return int(text) if text.isdigit() else _NUMBER_WORDS[text]


def _patterns(now: int) -> list[tuple[re.Pattern, object]]:
    return [
        (re.compile(rf"\b(?:between|from)\s+{_Y}\s+(?:and|to|until|till|through|-)\s+{_Y}\b"), lambda m: (int(m[1]), int(m[2]))),
        (re.compile(rf"\b{_Y}\s*(?:-|–|to|until|till|through)\s*{_Y}\b"), lambda m: (int(m[1]), int(m[2]))),
        (re.compile(r"\b(?:the\s+)?((?:19|20)\d)0'?s\b"), lambda m: (int(m[1]) * 10, int(m[1]) * 10 + 9)),
        (re.compile(rf"\b(?:nothing|none|no(?:thing)?|anything|ones?|data(?:sets)?|series)?\s*(?:that|which)?\s*(?:ends?|ending|ended|stops?|stopping|stopped)\s+(?:before|prior to)\s+{_Y}\b"), lambda m: (int(m[1]), None)),
        # What goes is what lies before (after) the year: "drop anything from before 2010", "nothing after 2015"
        (re.compile(rf"\b(?:nothing|none|no|drop|remove|exclude|skip|cut|lose|ditch|without|get rid of|leave out|omit|ignore|filter out|take out)"
                    rf"(?:\s+(?:anything|everything|data|datasets|ones|series|stuff|records|numbers|figures|tables))?"
                    rf"\s+(?:(?:that (?:is|are) )?(?:from|dated)\s+)?(before|prior to|earlier than|older than|pre-?|after|later than|past)\s*{_Y}\b"),
         lambda m: (int(m[2]), None) if m[1] in ("before", "prior to", "earlier than", "older than") or m[1].startswith("pre")
         else (None, int(m[2]))),
        (re.compile(rf"\b(?:runs?|running|goes|going|go|extends?|extending|continues?|continuing|lasts?)\s+(?:past|beyond|after|into|through)\s+{_Y}\b"),
         lambda m: (int(m[1]) + (0 if re.search(r"\b(?:into|through)\s+\S+$", m[0]) else 1), None)),  # "runs into 2021" reaches it
        # "the ones that go up to 2021", "series extending to at least 2020": they must reach that year
        (re.compile(rf"\b(?:go(?:es|ing)?|run(?:s|ning)?|extend(?:s|ing)?|reach(?:es|ing)?|continu(?:e|es|ing)|last(?:s|ing)?|"
                    rf"stretch(?:es|ing)?)\s+(?:all the way\s+)?(?:up\s+)?(?:to|until|till)\s+(?:at least\s+)?{_Y}\b"),
         lambda m: (int(m[1]), None)),
        (re.compile(rf"\b(?:go(?:es|ing)?|reach(?:es|ing)?|stretch(?:es|ing)?|date(?:s)?)\s+back\s+(?:to|as far as|before)\s+{_Y}\b"), lambda m: (int(m[1]), int(m[1]))),
        (re.compile(rf"\b(?:start(?:s|ing|ed)?|begin(?:s|ning)?|began)\s+(?:before|by|in)\s+{_Y}\b"), lambda m: (None, int(m[1]))),
        (re.compile(rf"\b(?:since|after|from|starting(?: from| in)?|beginning(?: in)?|post-?|updated since)\s*{_Y}(?:\s+(?:on(?:wards?)?|and (?:after|later|beyond)|forward|onward))?\b"),
         lambda m: (int(m[1]) + (1 if m[0].lstrip().startswith(("after", "post")) else 0), None)),
        (re.compile(rf"\b{_Y}\s+(?:or|and)\s+(?:later|after|newer|beyond|onwards?|since)\b"), lambda m: (int(m[1]), None)),
        (re.compile(rf"\b{_Y}\s+(?:onwards?|forward|on)\b"), lambda m: (int(m[1]), None)),
        (re.compile(rf"\b(?:before|pre-?|prior to|earlier than)\s*{_Y}\b"), lambda m: (None, int(m[1]) - 1)),
        # "restrict to 2023", "limit it to 2019": that year, not up to it
        (re.compile(rf"\b(?:restrict|limit|narrow|confine|cut)(?:s|ed|ing)?(?:\s+(?:it|this|them|these|that|things|the list|the results))?"
                    rf"(?:\s+down)?\s+to\s+(?:just\s+|only\s+)?(?:the\s+year\s+)?{_Y}\b(?!\s*(?:or|and)\s+(?:earlier|before|older|later|after))"),
         lambda m: (int(m[1]), int(m[1]))),
        (re.compile(rf"\b(?:until|till|up to|upto|through|no later than|to)\s+{_Y}\b"), lambda m: (None, int(m[1]))),
        (re.compile(rf"\b{_Y}\s+(?:or|and)\s+(?:earlier|before|older)\b"), lambda m: (None, int(m[1]))),
        (re.compile(rf"\b(?:(?:the\s+)?(?:last|past|previous|recent|latest)\s+{_NUM}\s+years?)\b"), lambda m: (now - _n(m[1]) + 1, None)),
        (re.compile(r"\b(?:the\s+)?(?:last|past|previous)\s+decade\b"), lambda m: (now - 9, None)),
        # Eras people name instead of years: the pandemic (2020-2022).
        (re.compile(rf"\b(?:pre|before(?: the)?|prior to(?: the)?)[- ]?{_COVID}\b"), lambda m: (None, 2019)),
        (re.compile(rf"\b(?:during(?: the)?|in(?: the)?)\s+{_COVID}(?: years| period| era)?\b"), lambda m: (2020, 2022)),
        (re.compile(rf"\b(?:post|after(?: the)?|since(?: the)?)[- ]?{_COVID}\b"), lambda m: (2020, None)),
        (re.compile(rf"\b(?:covering|covers?|cover|for|in|during|of|from|about|around|year|within)\s+{_Y}\b"), lambda m: (int(m[1]), int(m[1]))),
        (re.compile(rf"^{_LEAD}{_Y}(?:\s+only)?$"), lambda m: (int(m[1]), int(m[1]))),
        # "need 2013 in the coverage", "must have 2008 in the range"
        (re.compile(rf"\b{_Y}\s+(?:in|within|inside)\s+(?:the\s+|its\s+|their\s+)?(?:coverage|range|period|time ?span|data|series|years covered)\b"),
         lambda m: (int(m[1]), int(m[1]))),
        (re.compile(rf"\b(?:only|just)\s+{_Y}\b"), lambda m: (int(m[1]), int(m[1]))),
        (re.compile(rf"\b{_Y}\s+(?:only|data|figures|numbers)\b"), lambda m: (int(m[1]), int(m[1]))),
    ]


_UNITS = {word: n for word, n in CARDINAL_WORDS.items() if n < 10}
_TEENS = {"eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
          "eighteen": 18, "nineteen": 19}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_SPOKEN_NUMBER = {**CARDINAL_WORDS, **_TEENS, **_TENS} | {
    f"{tens}{joint}{unit}": value + n for tens, value in _TENS.items() for unit, n in _UNITS.items() for joint in (" ", "-")
}
_TWO_DIGITS = "|".join(sorted(map(re.escape, _SPOKEN_NUMBER), key=len, reverse=True))
# A year said in words, as dictation writes it: "two thousand and twenty", "twenty nineteen", "nineteen ninety-five"
_SPOKEN_YEAR = re.compile(
    rf"\btwo thousand(?:,? and|,)? ({_TWO_DIGITS})\b|\btwo thousand\b|\btwenty (oh (?:{'|'.join(_UNITS)})|{_TWO_DIGITS})\b"
    rf"|\bnineteen ({_TWO_DIGITS})\b"
)


def _spoken_year(match: re.Match[str]) -> str:
    if match.group(0).startswith("two thousand"):
        return str(2000 + (_SPOKEN_NUMBER[match[1]] if match[1] else 0))
    if match[2] is not None:
        if match[2].startswith("oh "):
            return str(2000 + _SPOKEN_NUMBER[match[2][3:]])
        return str(2000 + _SPOKEN_NUMBER[match[2]]) if _SPOKEN_NUMBER[match[2]] >= 10 else match.group(0)
    return str(1900 + _SPOKEN_NUMBER[match[3]]) if _SPOKEN_NUMBER[match[3]] >= 10 else match.group(0)


def parse_time(text: str, *, current_year: int | None = None) -> tuple[TimeWindow | None, str]:
    """The first time window in ``text`` and the text without it."""
    now = current_year or dt.date.today().year
    text = _SPOKEN_YEAR.sub(_spoken_year, text)
    for pattern, build in _patterns(now):
        match = pattern.search(text)
        if match is None:
            continue
        year_from, year_to = build(match)  # type: ignore[operator]
        if year_from is not None and year_to is not None and year_from > year_to:
            year_from, year_to = year_to, year_from
        rest = (text[: match.start()] + " " + text[match.end() :]).strip()
        return TimeWindow(year_from, year_to, match.group(0).strip()), rest
    return None, text
