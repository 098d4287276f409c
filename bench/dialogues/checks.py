"""The check vocabulary (one function per check, documented in bench/dialogue_eval.py) and ``evaluate``.

A check is a one-key object ``{type: argument}``; each function takes (argument, this turn's outcome,
the earlier turns' outcomes) and returns (passed, what was observed).
"""

from __future__ import annotations

import datetime as dt
import json
import re

from catalog.models import Dataset

from .matching import (
    UNDO_WORDS,
    _coverage,
    _extreme_titles,
    _field_expectations,
    _first_named,
    _freq_key,
    _freq_says,
    _has_number,
    _in_text,
    _names,
    _norm,
    _pick,
    _previous_list,
    _violations,
)
from .seen import CheckResult, TurnOutcome, _table_structures, enrich


def evaluate(check: dict, outcome: TurnOutcome, history: list[TurnOutcome]) -> CheckResult:
    ((name, arg),) = check.items()
    try:
        passed, observed = CHECKS[name](arg, outcome, history)
    except Exception as exc:  # a malformed check or an unexpected response shape fails, visibly
        passed, observed = False, f"error: {exc!r}"
    return CheckResult(check=name, arg=arg, passed=bool(passed), observed=observed)


def _c_min_results(arg, o, h):
    return len(o.results) >= int(arg), f"{len(o.results)} results"


def _c_max_results(arg, o, h):
    return len(o.results) <= int(arg), f"{len(o.results)} results"


def _c_publishers_exclude(arg, o, h):
    names = _names(arg)
    return _violations(o.results, lambda r: _norm(r.get("publisher")) in names)


def _c_publishers_only(arg, o, h):
    names = _names(arg)
    return _violations(o.results, lambda r: _norm(r.get("publisher")) not in names)


def _c_publishers_any(arg, o, h):
    names = _names(arg)
    seen = sorted({r.get("publisher") or "-" for r in o.results})
    return any(_norm(r.get("publisher")) in names for r in o.results), f"publishers: {seen}"


def _source_of(r) -> set[str]:
    return {_norm(r.get("source")), _norm(r.get("source_name"))}


def _c_sources_exclude(arg, o, h):
    names = _names(arg)
    return _violations(o.results, lambda r: bool(_source_of(r) & names))


def _c_sources_only(arg, o, h):
    names = _names(arg)
    return _violations(o.results, lambda r: not (_source_of(r) & names))


def _c_sources_any(arg, o, h):
    names = _names(arg)
    seen = sorted({r.get("source_name") or r.get("source") or "-" for r in o.results})
    return any(_source_of(r) & names for r in o.results), f"sources: {seen}"


def _formats(r) -> set[str]:
    return {str(f).upper() for f in (r.get("formats") or [])}


def _c_formats_exclude(arg, o, h):
    banned = {f.upper() for f in arg}
    return _violations(o.results, lambda r: bool(_formats(r)) and _formats(r) <= banned)


def _c_formats_include_only(arg, o, h):
    wanted = {f.upper() for f in arg}
    return _violations(o.results, lambda r: not (_formats(r) & wanted))


def _c_formats_any(arg, o, h):
    wanted = {f.upper() for f in arg}
    seen = sorted({f for r in o.results for f in _formats(r)})
    return any(_formats(r) & wanted for r in o.results), f"formats: {seen}"


def _c_titles_exclude_term(arg, o, h):
    return _violations(o.results, lambda r: any(_norm(t) in _norm(r.get("title")) for t in arg))


def _c_titles_exclude_exact(arg, o, h):
    names = _names(arg)
    return _violations(o.results, lambda r: _norm(r.get("title")) in names)


def _c_titles_include_term(arg, o, h):
    return _violations(o.results, lambda r: not any(_norm(t) in _norm(r.get("title")) for t in arg))


def _c_titles_any_term(arg, o, h):
    ok = any(any(_norm(t) in _norm(r.get("title")) for t in arg) for r in o.results)
    return ok, "titles: " + "; ".join((r.get("title") or "")[:40] for r in o.results[:5])


def _c_results_include_title(arg, o, h):
    names = _names(arg)
    ok = any(_norm(r.get("title")) in names for r in o.results)
    return ok, "titles: " + "; ".join((r.get("title") or "")[:40] for r in o.results[:5])


def _c_frequency_only(arg, o, h):
    wanted = {_freq_key(a) or a for a in arg}
    return _violations(o.results, lambda r: not _freq_says(r, wanted, titles=True))


def _c_frequency_exclude(arg, o, h):
    banned = {_freq_key(a) or a for a in arg}
    return _violations(o.results, lambda r: _freq_key(r.get("frequency") or "") in banned)


def _c_coverage_overlaps(arg, o, h):
    lo, hi = arg
    lo = -10_000 if lo is None else int(lo)
    hi = 10_000 if hi is None else int(hi)
    today = dt.date.today().year

    def bad(r):
        c = _coverage(r, today)
        return c is not None and not (c[0] <= hi and c[1] >= lo)

    return _violations(o.results, bad)


def _c_has_undated(arg, o, h):
    n = sum(1 for r in o.results if _coverage(r, 2100) is None)
    return n > 0, f"{n} undated of {len(o.results)}"


def _ids_of(turn: TurnOutcome | None) -> list:
    return turn.ids if turn else []


def _c_results_changed(arg, o, h):
    prev = _ids_of(h[-1] if h else None)
    return o.ids != prev, f"{len(o.ids)} results, {len(set(o.ids) & set(prev))} shared with the previous turn"


def _c_results_same(arg, o, h):
    prev = _ids_of(h[-1] if h else None)
    return o.ids == prev, f"{len(o.ids)} results, {len(set(o.ids) & set(prev))} shared with the previous {len(prev)}"


def _c_results_same_as_turn(arg, o, h):
    k = int(arg)
    ref = _ids_of(h[k - 1] if 0 < k <= len(h) else None)
    return o.ids == ref, f"{len(o.ids)} results, {len(set(o.ids) & set(ref))} shared with turn {k}'s {len(ref)}"


def _c_state_unchanged(arg, o, h):
    prev = h[-1] if h else None
    if prev is not None and prev.search_state is not None and o.search_state is not None:
        a = {k: v for k, v in prev.search_state.items() if k not in ("updated_at", "turn", "version")}
        b = {k: v for k, v in o.search_state.items() if k not in ("updated_at", "turn", "version")}
        return a == b, "search_state " + ("unchanged" if a == b else f"changed: {json.dumps(b)[:200]}")
    return _c_results_same(arg, o, h)


def _excerpt(text: str) -> str:
    return repr(re.sub(r"\s+", " ", text)[:220])


def _c_reply_mentions(arg, o, h):
    missing = [s for s in arg if not _in_text(s, o.reply)]
    return not missing, f"missing {missing} in {_excerpt(o.reply)}"


def _c_reply_mentions_any(arg, o, h):
    return any(_in_text(s, o.reply) for s in arg), f"none of {arg} in {_excerpt(o.reply)}"


def _c_reply_not_mentions(arg, o, h):
    found = [s for s in arg if _in_text(s, o.reply)]
    return not found, f"found {found} in {_excerpt(o.reply)}"


def _c_reply_has_table(arg, o, h):
    if _table_structures(o.response):
        return True, "table structure"
    markdown = re.search(r"^\s*\|?.*\|.*\n\s*\|?\s*:?-{3,}", o.reply, re.M)
    html = "<table" in o.reply.lower()
    return bool(markdown or html), f"no table in {_excerpt(o.reply)}"


def _c_reply_names_result(arg, o, h):
    ref = _previous_list(arg, o, h)
    r = _pick(ref, int(arg["rank"]))
    if r is None:
        return False, f"no result #{arg['rank']} in the referenced list ({len(ref)})"
    missing = [
        alts
        for alts in _field_expectations(r, arg.get("field", "title"))
        if not any(_in_text(a, o.reply) for a in alts)
    ]
    return not missing, f"#{arg['rank']} {arg.get('field', 'title')}: missing {missing} in {_excerpt(o.reply)}"


def _c_reply_names_first(arg, o, h):
    ref = _previous_list(arg, o, h)
    if "rank" in arg:
        r = _pick(ref, int(arg["rank"]))
        expected = {_norm(r["title"])} if r else set()
    elif "extreme" in arg:
        expected = _extreme_titles(ref, arg["extreme"])
    else:
        expected = _names(arg["titles"])
    candidates = ref + [{"title": t} for t in arg.get("titles", [])]
    first = _first_named(o.reply, candidates)
    return bool(expected) and first in expected, f"first named {first!r}, expected one of {sorted(expected)[:4]}"


def _c_reply_states_count(arg, o, h):
    ref = _previous_list(arg, o, h)
    if "format" in arg:
        counts = {sum(1 for r in ref if arg["format"].upper() in _formats(r))}
    elif "publisher" in arg:
        counts = {sum(1 for r in ref if _norm(r.get("publisher")) == _norm(arg["publisher"]))}
    else:
        key = _freq_key(arg["frequency"]) or arg["frequency"]
        counts = {
            sum(1 for r in ref if _freq_says(r, {key}, titles=False)),
            sum(1 for r in ref if _freq_says(r, {key}, titles=True)),
        }
    ok = any(_has_number(o.reply, n) for n in counts)
    if not ok and len(ref) in counts:
        ok = bool(re.search(r"\b(all|every one|each)\b", _norm(o.reply)))
    if not ok and 0 in counts:
        ok = bool(re.search(r"\b(none|no one|not any)\b", _norm(o.reply)))
    return ok, f"expected {sorted(counts)} of {len(ref)} in {_excerpt(o.reply)}"


def _c_reply_links_dataset(arg, o, h):
    ref = _previous_list(arg, o, h)
    if "rank" in arg:
        r = _pick(ref, int(arg["rank"]))
    else:
        r = next((x for x in ref if _norm(x.get("title")) == _norm(arg["title"])), None)
        if r is None:
            ds = Dataset.objects.filter(title=arg["title"]).first()
            r = enrich({"id": ds.pk}) if ds else None
    if r is None:
        return False, "dataset not found"
    links = {u for u in (r.get("landing_url"), r.get("page_url"), r.get("url"), r.get("paper_url")) if u}
    haystack = (
        o.reply + json.dumps(o.response.get("answer_data") or {}) + json.dumps(o.response.get("search_state") or {})
    )
    return any(u in haystack for u in links), f"none of {sorted(links)} in the reply or answer"


def _c_offers_undo(arg, o, h):
    text = _norm(o.reply)
    if any(w in text for w in UNDO_WORDS):
        return True, "undo offered in the reply"
    blob = json.dumps({k: v for k, v in o.response.items() if k not in ("results", "reply", "answer")}).lower()
    return '"undo' in blob, f"no undo in {_excerpt(o.reply)}"


def _c_intent(arg, o, h):
    # The API reports a question about the results on screen as "question": the refine route answered in
    # words (the router's five intents label it "refine", as the routing sets do).
    return o.intent == arg or (arg == "refine" and o.intent == "question"), f"intent {o.intent}"


def _c_http_ok(arg, o, h):
    return o.status == 200, f"HTTP {o.status}: {_excerpt(o.reply)}"


CHECKS = {
    "min_results": _c_min_results,
    "max_results": _c_max_results,
    "publishers_exclude": _c_publishers_exclude,
    "publishers_only": _c_publishers_only,
    "publishers_any": _c_publishers_any,
    "sources_exclude": _c_sources_exclude,
    "sources_only": _c_sources_only,
    "sources_any": _c_sources_any,
    "formats_exclude": _c_formats_exclude,
    "formats_include_only": _c_formats_include_only,
    "formats_any": _c_formats_any,
    "titles_exclude_term": _c_titles_exclude_term,
    "titles_exclude_exact": _c_titles_exclude_exact,
    "titles_include_term": _c_titles_include_term,
    "titles_any_term": _c_titles_any_term,
    "results_include_title": _c_results_include_title,
    "frequency_only": _c_frequency_only,
    "frequency_exclude": _c_frequency_exclude,
    "coverage_overlaps": _c_coverage_overlaps,
    "has_undated": _c_has_undated,
    "results_changed": _c_results_changed,
    "results_same": _c_results_same,
    "results_same_as_turn": _c_results_same_as_turn,
    "state_unchanged": _c_state_unchanged,
    "reply_mentions": _c_reply_mentions,
    "reply_mentions_any": _c_reply_mentions_any,
    "reply_not_mentions": _c_reply_not_mentions,
    "reply_has_table": _c_reply_has_table,
    "reply_names_result": _c_reply_names_result,
    "reply_names_first": _c_reply_names_first,
    "reply_states_count": _c_reply_states_count,
    "reply_links_dataset": _c_reply_links_dataset,
    "offers_undo": _c_offers_undo,
    "intent": _c_intent,
    "http_ok": _c_http_ok,
}
