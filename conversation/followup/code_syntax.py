"""Follow-ups written as code, read as the English the grammar knows (issue 12).

Engineers type what they would type into a query editor, a notebook or a shell: SQL, Python calls, comparison
operators, command-line flags, sed. Each form becomes the plain request it stands for, so the grammar, the router
and the questions about results need no second reading of their own::

    publisher != 'URA'                    -> exclude ura
    AND source NOT IN ('World Bank')      -> exclude world bank
    format == 'CSV' / fmt=csv             -> only csv
    title !~ 'CoNLL'                      -> exclude titles containing conll
    compare(SQuAD, TriviaQA)              -> compare squad and triviaqa
    describe('IMDb') / meta(results[0])   -> tell me more about imdb / tell me more about #1
    SELECT license FROM results WHERE rank = 1      -> what is the licence of #1
    ORDER BY coverage_start ASC LIMIT 1   -> which one starts earliest
    count(format == 'CSV')                -> how many of these are csv
    --exclude LTA / --only NEA / --since 2015       -> exclude lta / only nea / since 2015
    s/monthly/annual/                     -> annual instead of monthly

``read_code`` returns None for a message that is not written as code, so prose is never rewritten.
Python indexes from 0 (``results[0]`` is #1); SQL's ``rank = 1`` and a ``#2`` are already 1-based.
"""

from __future__ import annotations

import re

# Field names as code spells them -> what the field is.
_FIELD_NAMES = {
    "publisher": ("publisher", "pub", "publisher_name", "agency", "org", "organisation", "organization", "owner",
                  "author", "provider", "maintainer"),
    "source": ("source", "src", "portal", "catalog", "catalogue", "origin", "site"),
    "format": ("format", "formats", "fmt", "filetype", "file_type", "ext", "extension", "mime", "mimetype", "type"),
    "title": ("title", "name", "dataset", "dataset_name", "ds_name", "label"),
    "frequency": ("frequency", "freq", "update_frequency", "granularity", "cadence", "periodicity", "interval"),
    "licence": ("license", "licence", "lic", "license_id", "licence_id"),
    "start": ("coverage_start", "start", "start_year", "start_date", "temporal_start", "first_year", "from_year",
              "year", "years", "coverage", "date"),
    "end": ("coverage_end", "end", "end_year", "end_date", "temporal_end", "last_year", "to_year"),
    "updated": ("updated", "last_updated", "updated_at", "modified", "last_modified", "modified_at", "recency"),
    "span": ("span", "history", "duration", "coverage_years", "n_years", "years_covered", "length"),
}  # fmt: skip
FIELDS = {name: field for field, names in _FIELD_NAMES.items() for name in names}
_FIELD = r"(?:[a-z_]+\.)?(?P<field>" + "|".join(sorted(map(re.escape, FIELDS), key=len, reverse=True)) + r")\b"
_ANY_FIELD = _FIELD.replace("?P<field>", "?:")
# How a question names the field: "what is the <word> of #2"
_FIELD_WORD = {"publisher": "publisher", "source": "source", "format": "formats", "title": "title",
               "frequency": "frequency", "licence": "licence", "start": "coverage", "end": "coverage",
               "updated": "coverage", "span": "coverage"}  # fmt: skip

_QUOTED = r"'[^']*'|\"[^\"]*\""
_LIST = r"[(\[{][^()\[\]{}]*[)\]}]"
_BARE = r"[\w.&+/#-]+"
_VALUE = rf"(?P<value>{_LIST}|{_QUOTED}|{_BARE})"
_NEGATIVE = r"!=|<>|\u2260|!~|!==|\bnot\s+in\b|\bnot\s+(?:i?like|contains|matches)\b|\bis\s+not\b|\bdoes\s+not\s+contain\b"
_POSITIVE = r"===|==|=~|~=|(?<![<>!=])=(?!=)|~|\bin\b(?=\s*[(\[{])|\bi?like\b|\bcontains\b|\bmatches\b|\bis\b(?=\s*['\"])"
_COMPARISON = r">=|<=|>|<"
_CONDITION = re.compile(rf"^\s*{_FIELD}\s*(?P<op>{_NEGATIVE}|{_POSITIVE}|{_COMPARISON})\s*{_VALUE}\s*$")
_INDEX = re.compile(r"\b(?:results?|res|rows?|hits?|df|data|ds|items?|r)\s*(?:\.iloc)?\[\s*(-?\d+)\s*\]")
_RESULT_FIELD = re.compile(rf"^(?P<ref>#\d+|the last one)\s*(?:\.|\[\s*['\"]?|->|=>|\s)\s*{_FIELD}['\"]?\s*\]?\s*\??\s*$")
_CALL = re.compile(r"^\s*(?:[a-z_]+\.)*(?P<fn>[a-z_]+)\s*\((?P<args>.*)\)\s*;?\s*$")
_ORDER = re.compile(rf"\border\s+by\s+{_FIELD}(?:\s+(?P<dir>asc|desc)\b)?(?P<limit>\s+limit\s+1\b)?")
_SELECT = re.compile(rf"^\s*select\s+(?P<what>\*|count\s*\(\s*\*?\s*\)|{_FIELD}(?:\s*,\s*[a-z_]+)*)\s+from\s+[a-z_]+\s*(?P<rest>.*)$")
_RANK = re.compile(r"\b(?:rank|position|pos|idx|index|row|id)\s*==?\s*(-?\d+)\b")
_FLAG = re.compile(r"(?:^|(?<=\s))--(?P<flag>[a-z][a-z_-]*)(?:[=\s]\s*(?P<value>" + _QUOTED + r"|[^\s-][^-]*?))?(?=\s+--|\s*$)")
_EXTREME = re.compile(r"\b(?P<fn>max|min|argmax|argmin|idxmax|idxmin)\s*\(\s*(?P<args>[a-z_.]+)\s*\)")
_UNDO = re.compile(r"^\s*(?:git\s+(?:revert|reset|checkout|restore|stash)\b|(?:ctrl|cmd|command)\s*[-+ ]\s*z\b|:u(?:ndo)?\s*$)")
_DIFF = re.compile(r"^\s*(?:diff|cmp|compare)\s+(?P<refs>#\d+(?:\s*(?:,|\s|vs\.?|and)\s*#\d+)+)\s*\??\s*$")
_SED = re.compile(r"^\s*s/(?P<old>[^/]+)/(?P<new>[^/]+)/g?\s*$")
_LABEL = re.compile(r"^\s*(?P<verb>drop|exclude|excl|rm|remove|only|keep|include|filter|without|skip)\s*:\s*(?P<rest>.+)$")
# What marks a message as code: an operator, a call, a flag, SQL or sed.
_LOOKS_LIKE_CODE = re.compile(
    rf"{_ANY_FIELD}\s*(?:{_NEGATIVE}|===|==|=~|~=|!~|(?<![<>!=])=(?!=)|\bin\s*[(\[]|>=|<=)|^\s*[a-z_.]+\s*\(.*\)\s*;?\s*$|"
    r"(?:^|\s)--[a-z]|^\s*(?:git\s|(?:ctrl|cmd)\s*[-+ ]\s*z\b|:u(?:ndo)?\s*$|(?:diff|cmp)\s+#\d)|^\s*count\s+where\s|^\s*select\s.+\sfrom\s|\border\s+by\s|^\s*(?:and|where|&&)\s|^\s*s/[^/]+/[^/]+/|"
    rf"{_ANY_FIELD}\s*[<>]=?\s*(?:19|20)\d\d\b|\b(?:results?|res|df)\s*\[\s*-?\d+\s*\]|\b(?:max|min|argmax|argmin|idxmax|idxmin)\s*\(\s*[a-z_.]+\s*\)|^\s*(?:drop|exclude|excl|rm|only|keep|include|skip)\s*:\s"
)


def _values(raw: str) -> list[str]:
    raw = raw.strip()
    if raw[:1] in "([{" and raw[-1:] in ")]}":
        raw = raw[1:-1]
    parts = re.findall(rf"{_QUOTED}|[^,;|]+", raw)
    values = [p.strip().strip("'\"").strip() for p in parts]
    return [v for v in values if v and v not in ("*", "null", "none")]


def _joined(values: list[str]) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " and " + values[-1]


def _reference(text: str) -> str:
    """``results[0]`` -> ``#1`` (Python counts from 0), ``results[-1]`` -> the last one."""
    return _INDEX.sub(lambda m: "the last one" if int(m[1]) < 0 else f"#{int(m[1]) + 1}", text)


def _condition(text: str, *, negate: bool = False) -> str | None:
    """One ``field op value`` condition as a request, or None when it is not one."""
    match = _CONDITION.match(text)
    if not match:
        return None
    field, op, values = FIELDS[match["field"]], match["op"], _values(match["value"])
    if not values:
        return None
    names = _joined(values)
    if op in (">", ">=", "<", "<="):
        if not (len(values) == 1 and re.fullmatch(r"(?:19|20)\d\d", values[0])):
            return None  # "n_examples > 100k": a size we have no field for
        year = int(values[0])
        if field in ("end", "updated"):
            return f"nothing that ends before {year + (op == '>')}" if op in (">", ">=") else f"ending by {year}"
        if field in ("start", "span"):
            return f"from {year + (op == '>')}" if op in (">", ">=") else f"starting by {year - (op == '<')}"
        return None
    exclude = bool(re.match(_NEGATIVE, op)) != negate
    if field == "title":
        wildcard = any("%" in v or "*" in v for v in values) or op in ("~", "=~", "~=", "!~", "like", "ilike")
        terms = _joined([v.replace("%", "").replace("*", "").strip() for v in values])
        if wildcard or "contain" in op or "match" in op:
            return f"exclude titles containing {terms}" if exclude else f"only titles containing {terms}"
        return f"exclude {names}" if exclude else f"only {names}"
    if field in ("start", "end", "updated"):
        return f"not {names}" if exclude else f"covering {names}"
    if exclude:
        return f"exclude {names}"
    return f"only from {names}" if field in ("publisher", "source") else f"only {names}"


_QUOTED_OR_LIST = re.compile(rf"{_QUOTED}|{_LIST}")
_SPLIT = re.compile(rf"\s+(?:and|&&|&)\s+|\s*,\s*(?=[a-z_.]+\s*(?:{_NEGATIVE}|{_POSITIVE}))")
_HIDDEN = {" ": "\x00", ",": "\x01", "&": "\x02"}


def _hidden(match: re.Match) -> str:
    """A quoted value or a list with its spaces, commas and ampersands hidden from the split on "and" / ","."""
    return match.group().translate(str.maketrans(_HIDDEN))


def _unwrapped(part: str) -> str:
    part = part.translate(str.maketrans({v: k for k, v in _HIDDEN.items()})).strip()
    while part.startswith("(") and part.endswith(")") and _CONDITION.match(part[1:-1]):
        part = part[1:-1].strip()  # "(publisher != 'URA')"
    return part


def _conditions(text: str, *, negate: bool = False) -> str | None:
    """``a and b`` of conditions (SQL's AND, Python's and / &, a comma) as requests joined by commas."""
    read = [_condition(_unwrapped(p), negate=negate) for p in _SPLIT.split(_QUOTED_OR_LIST.sub(_hidden, text)) if p.strip()]
    return ", ".join(r for r in read if r) if any(read) else None


def _order(match: re.Match) -> str:
    field, descending = FIELDS[match["field"]], match["dir"] == "desc"
    if field == "span" or (field == "start" and not descending):
        question = "which has the longest history" if field == "span" else "which one starts earliest"
    elif field in ("end", "updated", "start"):
        question = "which is the most recent"
    else:
        return f"sort by {_FIELD_WORD[field]}"
    return question if match["limit"] or field == "span" else ("sort by oldest" if question.endswith("earliest") else "sort by most recent")


def _count(args: str) -> str:
    condition = _CONDITION.match(args.strip())
    if condition and FIELDS[condition["field"]] in ("publisher", "source"):
        return f"how many of these are from {_joined(_values(condition['value']))}"
    if condition:
        return f"how many of these are {_joined(_values(condition['value']))}"
    return "how many results are there"


_DETAILS = ("describe", "details", "get_details", "detail", "info", "get_info", "meta", "metadata", "get_metadata",
            "inspect", "summary", "summarize", "summarise", "show", "lookup", "get", "about", "more", "explain", "card")  # fmt: skip
_EXCLUDE = ("exclude", "drop", "remove", "without", "filter_out", "reject", "omit", "skip", "hide", "rm", "delete")
_ONLY = ("only", "include", "keep", "filter", "where", "select", "restrict", "subset", "query")
_SEARCH = ("search", "find", "query_datasets", "find_datasets", "search_datasets", "lookup_datasets", "datasets")


_LANGUAGES = {"en": "english", "zh": "chinese", "ms": "malay", "ta": "tamil", "de": "german", "fr": "french",
              "es": "spanish", "ja": "japanese", "ko": "korean", "ar": "arabic", "hi": "hindi"}  # fmt: skip


def _search(args: str) -> str | None:
    """``search(task='extractive QA', lang='en', n > 100k)``: what the arguments name, as a search."""
    words: list[str] = []
    for part in _values(args):
        key, sep, value = re.match(r"^(?:([a-z_]+)\s*([=:])\s*)?(.*)$", part).groups()
        if not sep and re.search(r"[<>=!]", value):
            continue  # a size or a count we have no field for
        value = value.strip().strip("'\"")
        if key in ("lang", "language", "languages"):
            value = _LANGUAGES.get(value, value)
        if key in ("n", "k", "top_k", "limit", "size", "page"):
            continue
        field = FIELDS.get(key or "")
        words.append(f"from {value}" if field in ("publisher", "source") else f"as {value}" if field == "format" else value)
    return f"datasets on {' '.join(words)}" if words else None


def _call(fn: str, args: str) -> str | None:
    args = _reference(args.strip())
    if fn in _SEARCH:
        return _search(args)
    if fn in ("compare", "diff", "compare_datasets", "side_by_side", "cmp"):
        return "compare " + _joined(_values(args)) if _values(args) else None
    if fn in ("count", "len", "sum") and args:
        return _count(re.sub(r"^(?:results?|res)\s*,\s*", "", args))
    if fn in ("undo", "revert", "rollback", "pop", "back"):
        return "undo"
    if fn in ("reset", "clear", "clear_filters", "reset_filters"):
        return "clear all filters"
    if fn in _DETAILS and args:
        names = _values(args)
        return f"tell me more about {_joined(names)}" if names else None
    if fn in _EXCLUDE:
        return _conditions(args, negate=True) or (f"exclude {_joined(_values(args))}" if _values(args) else None)
    if fn in _ONLY:
        return _conditions(args) or (f"only {_joined(_values(args))}" if _values(args) else None)
    if fn in FIELDS and re.fullmatch(r"#\d+|the last one", args):
        return f"what is the {_FIELD_WORD[FIELDS[fn]]} of {args}"  # publisher(results[1])
    if fn in ("max", "min", "argmax", "argmin", "idxmax", "idxmin", "earliest", "latest", "oldest", "newest"):
        field = FIELDS.get(args.split(".")[-1].strip("'\" "))
        if field == "span" or (field == "start" and "min" in fn) or fn in ("earliest", "oldest"):
            return "which has the longest history" if field == "span" else "which one starts earliest"
        if field in ("start", "end", "updated") or fn in ("latest", "newest"):
            return "which is the most recent"
    return None


def _select(match: re.Match) -> str | None:
    rest, what = _reference(match["rest"]), match["what"]
    rank = _RANK.search(rest)
    where = re.sub(r"\s+(?:order\s+by|limit)\b.*$", "", re.sub(r"^\s*where\s+", "", rest)) if "where" in rest else ""
    if what.startswith("count"):
        return _count(where) if where else "how many results are there"
    if order := _ORDER.search(rest):
        return _order(order)
    if rank:
        ref = f"#{rank[1]}" if int(rank[1]) > 0 else "the last one"
        if what == "*":
            return f"tell me more about {ref}"
        return f"what is the {_FIELD_WORD[FIELDS[match['field']]]} of {ref}"
    return _conditions(where) if where else None


def _flags(text: str) -> str | None:
    read: list[str] = []
    for match in _FLAG.finditer(text):
        flag, value = match["flag"].replace("_", "-"), (match["value"] or "").strip().strip("'\"")
        verb, _, field = flag.partition("-")
        if field in FIELDS and verb in ("exclude", "drop", "without", "not", "no", "only", "include", "keep", "filter"):
            flag = verb  # --exclude-publisher SLA, --only-format csv: the field is said by the value
            if FIELDS[field] == "title" and value:
                value = f"titles containing {value}"  # --exclude-title Deflator: a word of the titles
        if flag.startswith("no-") and not value:
            read.append(f"exclude {flag[3:].replace('-', ' ')}")  # --no-maps
        elif flag in ("exclude", "drop", "without", "remove", "rm", "skip", "not", "except", "ignore") and value:
            read.append(f"exclude {value}")
        elif flag in ("only", "include", "keep", "filter", "just") and value:
            read.append(f"only {value}")
        elif flag in ("since", "from", "after", "start", "start-year") and value:
            read.append(f"since {value}")
        elif flag in ("until", "to", "before", "end", "end-year") and value:
            read.append(f"up to {value}")
        elif flag in FIELDS and value:
            field = FIELDS[flag]
            read.append(f"only from {value}" if field in ("publisher", "source") else f"only {value}")
        elif flag in ("undo", "revert"):
            read.append("undo")
        elif flag in ("reset", "clear", "clear-filters"):
            read.append("clear all filters")
        elif flag in ("compare", "diff") and value:
            read.append("compare " + _joined(_values(value.replace(" ", ","))))
        elif flag in ("info", "details", "describe", "show") and value:
            read.append(f"tell me more about {value}")
    return ", ".join(read) if read else None


def read_code(text: str) -> str | None:
    """The request a code-like follow-up stands for (``text`` folded), or None when it is not written as code."""
    if not _LOOKS_LIKE_CODE.search(text):
        return None
    text = re.sub(r"\s--\s.*$|\s*#\s+.*$|\s*//.*$", "", text).strip()  # a comment says why, not what
    text = re.sub(r"^\s*(?:and|where|&&|\|\||filter\s+where)\s+", "", text)
    text = re.sub(r"^\s*(?:df|results?|res|data)\s*\[\s*(.*?)\s*\]\s*$", r"\1", text)  # df[df.publisher != 'URA']
    if _UNDO.match(text):
        return "undo"
    if diff := _DIFF.match(text):
        return f"compare {_joined(diff['refs'].replace(',', ' ').split())}"
    text = re.sub(r"\s+(?:only|please|pls|thx|thanks)\s*[.!]*$", "", text)  # "source=lta-datamall only"
    if count := re.match(r"^\s*count\s+(?:where\s+|of\s+)?(.+)$", text):
        return _count(count[1])
    if sed := _SED.match(text):
        return f"{sed['new']} instead of {sed['old']}"
    if label := _LABEL.match(text):
        verb = "only" if label["verb"] in ("only", "keep", "include", "filter") else "exclude"
        return f"{verb} {label['rest'].strip()}"
    if select := _SELECT.match(text):
        return _select(select)
    if order := _ORDER.search(text):
        return _order(order)
    if flags := _flags(text):
        return flags
    text = _reference(text)
    if (result_field := _RESULT_FIELD.match(text)) is not None:
        return f"what is the {_FIELD_WORD[FIELDS[result_field['field']]]} of {result_field['ref']}"
    if call := _CALL.match(text):
        return _call(call["fn"], call["args"])
    if (extreme := _EXTREME.search(text)) and len(text.split()) <= 8:
        return _call(extreme["fn"], extreme["args"])  # "which row has max(coverage_end)?"
    return _conditions(text)
