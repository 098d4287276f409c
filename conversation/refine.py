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
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from catalog.vocabulary import agency_aliases, ambiguous_aliases
from conversation import lexicon
from conversation.nlu import normalise, register_source_words

SORT_RELEVANCE = "relevance"
SORT_RECENT = "recent"
FILTER_KEYS = ("source", "publisher", "format", "theme", "year_from", "year_to", "geography")

_ORDINALS = {**lexicon.ORDINAL_WORDS, **lexicon.CARDINAL_WORDS}
_NUMBER_WORD = r"(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)"
_ORD_WORD = r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|1st|2nd|3rd|[4-9]th|10th|last|top)"
_YEAR = r"(?:19[0-9]{2}|20[0-9]{2}|2100)"

FILLER = lexicon.FILLER_WORDS


@dataclass
class Parsed:
    """What a message says about filters and navigation, plus the words left over (the topic)."""

    formats: list[str] = field(default_factory=list)
    publisher: str | None = None
    source: tuple[str, str] | None = None
    year_from: int | None = None
    year_to: int | None = None
    geography: str | None = None
    page: int | None = None  # absolute page
    page_delta: int = 0
    sort: str | None = None
    similar_rank: int | None = None  # -1 = last
    clear: set[str] = field(default_factory=set)  # filter keys to drop ("*" = all)
    followup_topic: str | None = None  # "what about X" -> X
    narrow_topic: str | None = None  # "only X ones" -> X
    residual: list[str] = field(default_factory=list)  # topic words left
    text: str = ""

    @property
    def has_filter(self) -> bool:
        return bool(
            self.formats
            or self.publisher
            or self.source
            or self.year_from is not None
            or self.year_to is not None
            or self.geography
        )

    @property
    def has_navigation(self) -> bool:
        return bool(self.page is not None or self.page_delta or self.sort or self.similar_rank is not None)

    @property
    def has_signal(self) -> bool:
        return bool(self.has_filter or self.has_navigation or self.clear or self.followup_topic or self.narrow_topic)


def _sub(pattern: str, text: str, fn) -> str:
    """Run ``fn(match)`` for each match of ``pattern`` and blank the match out."""

    def repl(m: re.Match) -> str:
        fn(m)
        return " "

    return re.sub(pattern, repl, text)


def _rank(word: str) -> int | None:
    word = word.strip("#")
    if word == "last":
        return -1
    if word.isdigit():
        return int(word)
    return _ORDINALS.get(word)


def parse(message: str, *, strict_agencies: bool = False, current_year: int | None = None) -> Parsed:
    """Pull filters, paging, sorting and "more like N" out of a message.

    ``strict_agencies`` (first searches) only takes an agency after "from/by/only/just".
    """
    year_now = current_year or dt.date.today().year
    p = Parsed()
    t = " " + normalise(message) + " "
    t = re.sub(rf"\b([a-z]+)-({_YEAR})\b", r"\1 \2", t)  # "pre-2010" -> "pre 2010"
    p.text = t.strip()

    # --- clearing filters
    def _clear(m: re.Match) -> None:
        what = m.group("what") or ""
        key = lexicon.FILTER_WORDS.get(what.strip(), "*")
        p.clear.add(key)

    t = _sub(
        r"\b(?:drop|remove|clear|reset|undo|forget|without|no more|get rid of|ignore|exclude|lose|cancel)\s+(?:the\s+|all\s+(?:the\s+)?|my\s+|any\s+)?"
        r"(?P<what>year|years|date|time|format|formats|publisher|agency|source|sources|geography|country|location)?\s*"
        r"(?:filters?|restrictions?|limits?|constraints?|range)\b",
        t,
        _clear,
    )
    t = _sub(r"\b(?:start over|reset|show all|all results)\b", t, lambda m: p.clear.add("*"))
    t = _sub(
        r"\b(?:any|all|every)\s+(?P<what>format|formats|publisher|agency|source|sources|years|year|time)\b", t, _clear
    )

    # --- similar to result N
    def _similar(m: re.Match) -> None:
        p.similar_rank = _rank(m.group("n"))

    sim_lead = r"(?:more|others?|ones?|something|anything|datasets?|results?|stuff)?\s*(?:just\s+|a\s+bit\s+)?(?:like|similar(?:\s+(?:ones|datasets|data|results|stuff|things))?\s+to|related\s+to|resembling)"
    target = rf"(?:the\s+|result\s+|number\s+|no\.?\s+|#\s*|item\s+|dataset\s+|option\s+)*(?P<n>{_ORD_WORD}|#?\d{{1,2}})(?:\s+(?:one|result|dataset|item|option|hit))?"
    t = _sub(rf"\b{sim_lead}\s+{target}\b", t, _similar)
    if p.similar_rank is None:
        # "the third one looks good, anything like it?"
        m = re.search(rf"\b(?:the\s+)?(?P<n>{_ORD_WORD})\s+(?:one|result|dataset)\b", t)
        if m and re.search(r"\b(?:like (?:it|that|this)|similar|more of (?:that|those|these))\b", t):
            p.similar_rank = _rank(m.group("n"))
            t = t[: m.start()] + " " + t[m.end() :]
            t = re.sub(
                r"\b(?:anything|something|more|others?)?\s*(?:like (?:it|that|this)|similar(?: ones?)?)\b", " ", t
            )
        elif re.search(r"\b(?:similar|like)\s+(?:to\s+)?(?:result|#)\s*(?P<n>\d{1,2})\b", t):
            m2 = re.search(r"\b(?:similar|like)\s+(?:to\s+)?(?:result|#)\s*(?P<n>\d{1,2})\b", t)
            p.similar_rank = int(m2.group("n"))
            t = t[: m2.start()] + " " + t[m2.end() :]

    # --- paging
    def _page(m: re.Match) -> None:
        n = m.group("n")
        p.page = int(n) if n.isdigit() else _ORDINALS.get(n, 1)

    t = _sub(
        rf"\b(?:(?:go|jump|skip|return|back|take\s+me)\s+(?:back\s+)?to\s+(?:the\s+)?|show\s+(?:me\s+)?)?page\s+(?:number\s+)?(?P<n>\d{{1,3}}|{_NUMBER_WORD})\b",
        t,
        _page,
    )
    t = _sub(
        r"\b(?P<n>first|second|third|fourth|fifth|1st|2nd|3rd|[4-9]th)\s+page\b",
        t,
        lambda m: setattr(p, "page", _ORDINALS.get(m.group("n"), 1)),
    )
    t = _sub(
        r"\b(?:(?:the|a)\s+)?(?:next|following)\s+(?:page|set|batch|results|ten|10|ones|lot)\b|^\s*(?:next|following)(?:\s+please)?\s*$",
        t,
        lambda m: setattr(p, "page_delta", 1),
    )
    t = _sub(
        r"\b(?:go\s+)?back\s+(?:a|one)\s+page\b|\b(?:the\s+)?(?:previous|prior|last|preceding)\s+page\b|\bpage\s+back\b|\bgo\s+back\b",
        t,
        lambda m: setattr(p, "page_delta", -1),
    )
    t = _sub(
        r"^\s*(?:show\s+(?:me\s+)?|give\s+(?:me\s+)?|load\s+|see\s+|any\s+)?more(?:\s+(?:results|datasets|please|of\s+them|ones|options|hits))?\s*(?:please)?\s*$",
        t,
        lambda m: setattr(p, "page_delta", 1),
    )

    # --- sorting
    t = _sub(
        r"\b(?:sort(?:ed)?|order(?:ed)?|rank(?:ed)?)\s+(?:them\s+|it\s+|results\s+)?by\s+(?:the\s+)?(?:most\s+recent|recency|recent|newest|latest|date|last\s+updated|update\s+date|freshness|time)\b"
        r"|\b(?:newest|newer|latest|most\s+recent|recent|freshest|recently\s+updated)\s+(?:ones\s+|datasets\s+)?first\b"
        r"|\b(?:any|only|just|show(?:\s+me)?)?\s*(?:the\s+)?(?:newer|newest|latest|more\s+recent|most\s+recent|recently\s+updated|updated\s+recently|fresher)(?:\s+ones|\s+datasets|\s+data)?(?:\s+first)?\b",
        t,
        lambda m: setattr(p, "sort", SORT_RECENT),
    )
    t = _sub(
        r"\b(?:sort(?:ed)?|order(?:ed)?|rank(?:ed)?)\s+(?:them\s+|it\s+|results\s+)?by\s+(?:relevance|relevancy|best\s+match|score)\b|\b(?:by|most)\s+relevan(?:ce|t)\b|\bbest\s+match(?:es)?\s+first\b",
        t,
        lambda m: setattr(p, "sort", SORT_RELEVANCE),
    )

    # --- years
    def _range(m: re.Match) -> None:
        a, b = int(m.group("a")), int(m.group("b"))
        p.year_from, p.year_to = min(a, b), max(a, b)

    t = _sub(
        rf"\b(?:between|from|for|covering|in)?\s*(?P<a>{_YEAR})\s*(?:-|to|and|until|till|through|thru)\s*(?P<b>{_YEAR})\b",
        t,
        _range,
    )

    def _last_n(m: re.Match) -> None:
        n = m.group("n")
        n = int(n) if n.isdigit() else _ORDINALS.get(n, 1)
        p.year_from = year_now - n

    t = _sub(
        rf"\b(?:in\s+|over\s+|for\s+|from\s+)?(?:the\s+)?(?:last|past|previous)\s+(?P<n>{_NUMBER_WORD})\s+years?\b",
        t,
        _last_n,
    )
    t = _sub(
        rf"\b(?:since|after|post|starting(?:\s+(?:in|from))?|beginning)\s+(?P<y>{_YEAR})(?:\s+(?:onwards?|on|and\s+later|and\s+after))?\b|\bfrom\s+(?P<y3>{_YEAR})\s+(?:onwards?|on|and\s+later|and\s+after)\b|\b(?P<y2>{_YEAR})\s+(?:onwards?|and\s+later|and\s+after|or\s+later)\b",
        t,
        lambda m: setattr(
            p,
            "year_from",
            (int(m.group("y")) + (1 if re.match(r"\s*(?:after|post)", m.group(0)) else 0))
            if m.group("y")
            else int(m.group("y2") or m.group("y3")),
        ),
    )
    t = _sub(
        rf"\b(?:before|until|till|up\s+to|prior\s+to|pre)\s+(?P<y>{_YEAR})\b|\b(?P<y2>{_YEAR})\s+(?:or\s+earlier|and\s+earlier|and\s+before)\b",
        t,
        lambda m: setattr(
            p,
            "year_to",
            (int(m.group("y")) - (1 if re.match(r"\s*(?:before|prior|pre)", m.group(0)) else 0))
            if m.group("y")
            else int(m.group("y2")),
        ),
    )

    def _year(m: re.Match) -> None:
        y = int(m.group("y"))
        p.year_from = y if p.year_from is None else min(p.year_from, y)
        p.year_to = y if p.year_to is None else max(p.year_to, y)

    t = _sub(rf"\b(?:in|for|of|from|during|covering|year)?\s*(?P<y>{_YEAR})\b(?!\s*(?:-|/)\s*\d)", t, _year)

    # --- source (before agencies: "lta datamall" is a source, "lta" a publisher)
    for alias in sorted(lexicon.SOURCE_ALIASES, key=len, reverse=True):
        esc = re.escape(alias).replace(r"\ ", r"\s+")
        if alias in lexicon.AMBIGUOUS_SOURCE_ALIASES:
            pat = rf"\b(?:from|by|only|just)\s+(?:the\s+)?{esc}(?![\w])"
        else:
            pat = rf"(?<![\w.])(?:the\s+)?{esc}(?:'s)?(?![\w])"
        if re.search(pat, t):
            p.source = lexicon.SOURCE_ALIASES[alias]
            t = re.sub(pat, " ", t)
            break

    # --- publisher
    for alias in sorted(agency_aliases(), key=len, reverse=True):
        esc = re.escape(alias).replace(r"\ ", r"\s+")
        needs_lead = strict_agencies or alias in ambiguous_aliases()
        if needs_lead:
            pat = rf"\b(?:from|by|only|just|published\s+by)\s+(?:the\s+)?{esc}(?![\w*])"
        else:
            pat = rf"(?<![\w*])(?:the\s+)?{esc}(?![\w*])"
        if re.search(pat, t):
            p.publisher = agency_aliases()[alias]
            t = re.sub(pat, " ", t)
            break

    # --- formats
    for alias in sorted(lexicon.FORMAT_ALIASES, key=len, reverse=True):
        pat = rf"\b(?:in\s+|as\s+)?(?:an?\s+)?{re.escape(alias)}(?:\s+(?:format|files?|versions?|downloads?|only))?\b"
        if re.search(pat, t):
            value = lexicon.FORMAT_ALIASES[alias]
            if value not in p.formats:
                p.formats.append(value)
            t = re.sub(pat, " ", t)

    # --- geography
    def _geo(m: re.Match) -> None:
        p.geography = lexicon.GEOGRAPHY_ALIASES[re.sub(r"\s+", " ", m.group("g"))]

    geo_words = "|".join(sorted((re.escape(g) for g in lexicon.GEOGRAPHY_ALIASES), key=len, reverse=True))
    t = _sub(
        rf"\b(?:only|just|limit(?:ed)?\s+to|restrict(?:ed)?\s+to|within|in|for|about|covering)?\s*(?P<g>{geo_words})(?:\s+(?:only|ones|datasets|data|coverage|level|wide))?\b",
        t,
        _geo,
    )

    # --- follow-up topic forms
    words = t.split()
    text_left = " ".join(words)
    m = re.match(
        r"^(?:ok(?:ay)?\s+|so\s+|hmm+\s+|and\s+)?(?:what|how)\s+about\s+(?:for\s+|in\s+|with\s+)?(?P<x>.+)$"
        r"|^(?:and|also)\s+(?:for|in|with|on)?\s*(?P<y>.+)$"
        r"|^(?:same|the\s+same|do\s+the\s+same|same\s+thing|same\s+search|same\s+query)\s+(?:but\s+)?(?:for|in|with|on|about)\s+(?P<z>.+)$",
        text_left,
    )
    if m:
        x = (m.group("x") or m.group("y") or m.group("z") or "").strip()
        topic = [w for w in x.split() if w not in FILLER]
        if topic:
            p.followup_topic = " ".join(topic)
        words = []
    else:
        m = re.match(
            r"^(?:now\s+)?(?:only|just|narrow\s+(?:it|this|them|that)?\s*(?:down\s+)?to|limit\s+(?:it\s+|them\s+)?to|restrict\s+(?:it\s+|them\s+)?to|filter\s+(?:it\s+|them\s+)?(?:by|to|on))\s+(?P<x>.+)$",
            text_left,
        )
        if m:
            x = re.sub(r"[-\s]+(?:related|based|specific|focused)\b", " ", m.group("x"))
            topic = [w for w in x.split() if w not in FILLER]
            if topic:
                p.narrow_topic = " ".join(topic)
            words = []
    words = [w for w in words if w not in FILLER and w not in {"#", "-", "+", "*", "/", "="} and not w.isdigit()]
    p.residual = words
    return p


@dataclass
class Refinement:
    query: str
    filters: dict
    page: int = 1
    sort: str = SORT_RELEVANCE
    similar_to_rank: int | None = None
    changes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "filters": dict(self.filters),
            "page": self.page,
            "sort": self.sort,
            "similar_to_rank": self.similar_to_rank,
            "changes": list(self.changes),
        }


def _years_phrase(year_from: int | None, year_to: int | None) -> str:
    if year_from is not None and year_to is not None:
        return f"covering {year_from}" if year_from == year_to else f"covering {year_from}\u2013{year_to}"
    if year_from is not None:
        return f"covering {year_from} onwards"
    return f"covering up to {year_to}"


def _filter_changes(p: Parsed, filters: dict) -> list[str]:
    """Apply ``p``'s filters to ``filters`` in place; return the change phrases."""
    changes: list[str] = []
    if p.formats:
        filters["format"] = p.formats[0]
        changes.append(f"Showing only {p.formats[0]} datasets")
    if p.publisher:
        filters["publisher"] = p.publisher
        changes.append(f"from {p.publisher}")
    if p.source:
        filters["source"] = p.source[0]
        changes.append(f"from {p.source[1]}")
    if p.year_from is not None or p.year_to is not None:
        filters.pop("year_from", None)
        filters.pop("year_to", None)
        if p.year_from is not None:
            filters["year_from"] = p.year_from
        if p.year_to is not None:
            filters["year_to"] = p.year_to
        changes.append(_years_phrase(p.year_from, p.year_to))
    if p.geography:
        filters["geography"] = p.geography
        changes.append("covering Singapore" if p.geography == "singapore" else "with global coverage")
    return changes


def apply_refinement(message: str, previous: dict) -> Refinement:
    """Merge a follow-up message into the previous search state.

    ``previous`` is conversation.state: {"query", "filters", "page", "sort", "result_ids"}.
    """
    previous = previous or {}
    p = parse(message)
    query = (previous.get("query") or "").strip()
    filters = {k: v for k, v in (previous.get("filters") or {}).items() if v not in (None, "", [])}
    page = int(previous.get("page") or 1)
    sort = previous.get("sort") or SORT_RELEVANCE
    result_ids = list(previous.get("result_ids") or [])
    changes: list[str] = []
    reset_page = False

    if p.clear:
        if "*" in p.clear:
            if filters:
                changes.append("with all filters cleared")
            filters = {}
        for key in sorted(p.clear - {"*"}):
            keys = ("year_from", "year_to") if key == "years" else (key,)
            if any(k in filters for k in keys):
                for k in keys:
                    filters.pop(k, None)
                label = "year" if key == "years" else key
                changes.append(f"without the {label} filter")
        reset_page = True

    fchanges = _filter_changes(p, filters)
    if fchanges:
        changes.extend(fchanges)
        reset_page = True

    if p.followup_topic:
        query = p.followup_topic
        changes.append(f"about '{query}' instead")
        reset_page = True
    elif p.narrow_topic:
        query = f"{query} {p.narrow_topic}".strip()
        changes.append(f"narrowed to '{p.narrow_topic}'")
        reset_page = True

    if p.sort and p.sort != sort:
        sort = p.sort
        changes.append("sorted by most recent" if sort == SORT_RECENT else "sorted by relevance")
        reset_page = True
    elif p.sort:
        changes.append("sorted by most recent" if sort == SORT_RECENT else "sorted by relevance")

    similar_to_rank = None
    if p.similar_rank is not None:
        rank = len(result_ids) if p.similar_rank == -1 else p.similar_rank
        if rank >= 1 and (not result_ids or rank <= len(result_ids)):
            similar_to_rank = rank
            changes.append(f"similar to result {rank}")
            reset_page = True
        else:
            changes.append(f"There is no result {p.similar_rank} in the previous results to compare with.")

    if p.page is not None:
        page = max(1, p.page)
        changes.append(f"page {page}")
    elif p.page_delta:
        page = max(1, page + p.page_delta)
        changes.append(f"page {page}")
    elif reset_page:
        page = 1

    return Refinement(
        query=query, filters=filters, page=page, sort=sort, similar_to_rank=similar_to_rank, changes=changes
    )


def describe_refinement(refinement: Refinement) -> str:
    """One line for the reply: "Showing only CSV datasets from National Environment Agency for 'rainfall'"."""
    notes = [c for c in refinement.changes if c.startswith("There is no")]
    changes = [c for c in refinement.changes if c and c not in notes]
    line = _describe(refinement, changes)
    return " ".join([line + ("." if notes else ""), *notes]) if notes else line


def _describe(refinement: Refinement, changes: list[str]) -> str:
    if refinement.similar_to_rank is not None:
        rest = [c for c in changes if not c.startswith("similar to")]
        head = f"Showing datasets similar to result {refinement.similar_to_rank}"
        return " ".join([head, *rest]).strip()
    if not changes:
        return f"Showing results for '{refinement.query}'" if refinement.query else "Showing results"
    first = changes[0]
    parts = changes if first.startswith("Showing") else ["Showing results", *changes]
    topic_given = any(c.startswith("about '") or c.startswith("narrowed to") for c in changes)
    line = " ".join(parts)
    if refinement.query and not topic_given:
        line += f" for '{refinement.query}'"
    return line


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


def extract_filters(message: str) -> tuple[str, dict]:
    """Inline filters of a first search: ("rainfall 2023 csv") -> ("rainfall", {"year_from": 2023, ...}).

    Conservative: only years, file formats (not "API") and "from/by <agency|source>" are taken out;
    the rest of the message (with casing kept) stays the query.
    """
    p = parse(message, strict_agencies=True)
    filters: dict = {}
    if p.year_from is not None:
        filters["year_from"] = p.year_from
    if p.year_to is not None:
        filters["year_to"] = p.year_to
    fmts = [f for f in p.formats if f != "API"]
    if fmts:
        filters["format"] = fmts[0]
    if p.publisher:
        filters["publisher"] = p.publisher
    # Remove the taken-out pieces from the original wording (keeps user casing for the query).
    text = " " + clean_query(message) + " "
    if "year_from" in filters or "year_to" in filters:
        text = re.sub(
            rf"(?i)\b(?:(?:between|from|since|after|before|until|in|for|during|of)\s+)?{_YEAR}(?:\s*(?:-|to|and|until)\s*{_YEAR})?(?:\s+(?:onwards?|only))?\b",
            " ",
            text,
        )
    if fmts:
        for alias, value in lexicon.FORMAT_ALIASES.items():
            if value in fmts:
                text = re.sub(
                    rf"(?i)\b(?:(?:in|as)\s+)?(?:an?\s+)?{re.escape(alias)}(?:\s+(?:format|files?|versions?|only))?(?:\s+of)?\b",
                    " ",
                    text,
                )
    if p.publisher:
        for alias, name in agency_aliases().items():
            if name == p.publisher:
                text = re.sub(rf"(?i)\b(?:from|by|published\s+by)\s+(?:the\s+)?{re.escape(alias)}\b", " ", text)
    query = re.sub(r"\s+", " ", text).strip(" ,.;:!?-")
    if all(w in FILLER for w in normalise(_GENERIC_RE.sub(" ", query)).split()):
        query = ""
    return query, filters


register_source_words(__file__)
