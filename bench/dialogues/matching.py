"""Text normalisation and the field, frequency and coverage helpers the dialogue checks use."""

from __future__ import annotations

import datetime as dt
import re

from .seen import TurnOutcome

GEO_FORMATS = ("KML", "GEOJSON", "SHP", "KMZ")

FREQ_WORDS = {  # how a frequency is written in metadata or said in a reply
    "annual": ("annual", "annually", "yearly", "every year", "each year", "once a year"),
    "quarterly": ("quarterly", "every quarter", "each quarter"),
    "monthly": ("monthly", "every month", "each month"),
    "weekly": ("weekly", "every week", "each week"),
    "daily": ("daily", "every day", "each day"),
    "half-year": ("half-year", "half-yearly", "halfyearly", "semi-annual", "semi-annually", "twice a year"),
    "realtime": ("realtime", "real-time", "real time", "live"),
}
TITLE_FREQ_WORDS = {
    "annual": ("annual", "annually", "yearly"),
    "quarterly": ("quarterly",),
    "monthly": ("monthly",),
    "weekly": ("weekly",),
    "daily": ("daily",),
    "half-year": ("half-yearly", "half-year", "half yearly"),
    "realtime": ("real-time", "realtime", "real time"),
}
FREQ_ALIASES = {alias: key for key, aliases in FREQ_WORDS.items() for alias in (key, *aliases)}
NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
UNDO_WORDS = (
    "undo",
    "put back",
    "put them back",
    "bring back",
    "bring them back",
    "restore",
    "remove this filter",
    "remove the filter",
    "remove that filter",
    "include them again",
    "show them again",
    "revert",
)


def _norm(text) -> str:
    text = str(text or "").lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = re.sub(r"[\u2010-\u2015]", "-", text)
    return re.sub(r"\s+", " ", text).strip()


def _loose(text) -> str:
    """Lower case, punctuation to spaces: for finding a dataset's name in prose."""
    return " " + re.sub(r"[^0-9a-z%$.+]+", " ", _norm(text)).replace(" . ", " ").strip() + " "


def _in_text(needle, text) -> bool:
    return _norm(needle) in _norm(text) or _loose(needle).strip() in _loose(text)


def _names(values) -> set[str]:
    return {_norm(v) for v in (values if isinstance(values, list) else [values])}


def _short(r: dict) -> str:
    return f"{(r.get('title') or '')[:60]!r} ({r.get('publisher') or '-'}; {r.get('source_name') or r.get('source')}; {','.join(r.get('formats') or []) or '-'}; {r.get('frequency') or '-'}; {_years(r)})"


def _year(value) -> int | None:
    if not value:
        return None
    try:
        return int(str(value)[:4])
    except ValueError:
        return None


def _years(r: dict) -> str:
    s, e = _year(r.get("temporal_start")), _year(r.get("temporal_end"))
    if s is None and e is None:
        return "undated"
    return f"{s or '?'}-{e or '…'}"


def _violations(results, bad) -> tuple[bool, str]:
    offenders = [r for r in results if bad(r)]
    return not offenders, "; ".join(_short(r) for r in offenders[:4]) + (" …" if len(offenders) > 4 else "")


def _freq_key(value: str) -> str | None:
    v = _norm(value).replace("_", "-")
    return FREQ_ALIASES.get(v) or FREQ_ALIASES.get(v.replace("-", ""))


def _freq_says(r: dict, wanted: set[str], *, titles: bool) -> bool:
    """Whether a result's frequency metadata (or, with ``titles``, its title) says one of ``wanted``."""
    if _freq_key(r.get("frequency") or "") in wanted:
        return True
    if titles:
        title = _norm(r.get("title"))
        return any(re.search(rf"\b{re.escape(w)}\b", title) for key in wanted for w in TITLE_FREQ_WORDS.get(key, ()))
    return False


def _previous_list(arg, outcome: TurnOutcome, history: list[TurnOutcome]) -> list[dict]:
    of_turn = arg.get("of_turn") if isinstance(arg, dict) else None
    if of_turn:
        return history[of_turn - 1].results if 0 < of_turn <= len(history) else []
    return history[-1].results if history else []


def _pick(results: list[dict], rank: int) -> dict | None:
    index = rank - 1 if rank > 0 else rank
    return results[index] if -len(results) <= index < len(results) and results else None


def _coverage(r: dict, today: int) -> tuple[int, int] | None:
    s, e = _year(r.get("temporal_start")), _year(r.get("temporal_end"))
    if s is None and e is None:
        return None
    return (s if s is not None else -10_000, e if e is not None else today)


def _extreme_titles(results: list[dict], kind: str) -> set[str]:
    today = dt.date.today().year
    dated = [(r, _coverage(r, today)) for r in results]
    dated = [(r, c) for r, c in dated if c is not None]
    expected: set[str] = set()
    if not dated:
        return expected
    if kind in ("earliest_start", "longest_history"):
        first = min(c[0] for _, c in dated)
        expected |= {_norm(r["title"]) for r, c in dated if c[0] == first}
    if kind == "longest_history":
        span = max(c[1] - c[0] for _, c in dated)
        expected |= {_norm(r["title"]) for r, c in dated if c[1] - c[0] == span}
    if kind == "most_recent":
        last = max(c[1] for _, c in dated)
        expected |= {_norm(r["title"]) for r, c in dated if c[1] == last}
        modified = [r for r in results if r.get("modified")]
        if modified:
            latest = max(r["modified"] for r in modified)
            expected |= {_norm(r["title"]) for r in modified if r["modified"] == latest}
    return expected


def _first_named(text: str, results: list[dict]) -> str | None:
    """The first of ``results``' titles that the text names (the longest title wins a tie)."""
    loose = _loose(text)
    best = None
    for title in {r.get("title") or "" for r in results}:
        needle = _loose(title).strip()
        if not needle:
            continue
        m = re.search(rf"(?<![0-9a-z]){re.escape(needle)}(?![0-9a-z])", loose)
        if m and (best is None or (m.start(), -len(needle)) < (best[0], -best[1])):
            best = (m.start(), len(needle), title)
    return _norm(best[2]) if best else None


def _has_number(text: str, n: int) -> bool:
    loose = _loose(text)
    if re.search(rf"(?<![0-9.,]){n}(?![0-9]|,\d|\.\d)", _norm(text)):
        return True
    return n < len(NUMBER_WORDS) and f" {NUMBER_WORDS[n]} " in loose


def _field_expectations(r: dict, field_name: str) -> list[list[str]]:
    """What the reply must contain to state a field: a list of alternatives per required part."""
    if field_name == "title":
        return [[r.get("title") or ""]]
    if field_name == "publisher":
        return [[r.get("publisher") or "no publisher"]]
    if field_name == "license":
        lic = r.get("license") or ""
        words = re.sub(r"\(.*?\)", "", lic).split()
        return [[lic, " ".join(words[:4])]] if lic else [["licen"]]
    if field_name == "formats":
        return [[f] for f in (r.get("formats") or [])] or [["format"]]
    if field_name == "coverage":
        s, e = _year(r.get("temporal_start")), _year(r.get("temporal_end"))
        parts = [[str(y)] for y in (s, e) if y is not None]
        return parts or [["no date", "not dated", "undated", "no coverage", "unknown", "not stated", "not given"]]
    if field_name == "frequency":
        key = _freq_key(r.get("frequency") or "")
        alternatives = list({r.get("frequency") or "", *(FREQ_WORDS.get(key, ()) if key else ())} - {""})
        return [alternatives or ["not stated", "unknown", "not specified", "no frequency"]]
    raise ValueError(f"unknown field {field_name}")
