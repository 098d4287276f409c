"""Dialogue bench: multi-turn accuracy of the assistant through its HTTP API, and held-out routing.

    .venv/bin/python bench/dialogue_eval.py [--tag X] [--id D] [--verbose] [--only dialogues|routing]
        [--dialogues bench/data/dialogues.jsonl] [--routing bench/data/routing_heldout.jsonl] [--llm]

Dialogues (``bench/data/dialogues.jsonl``, one JSON object a line)::

    {"id": "ex-pub-01", "tags": ["exclude-publisher", ...],
     "turns": [{"user": "private property prices", "tags": ["first-search"], "checks": [{"min_results": 5}]},
               {"user": "leave URA out of this", "tags": ["exclude-publisher"],
                "checks": [{"publishers_exclude": ["Urban Redevelopment Authority"]}, {"min_results": 3}]}]}

Each turn is sent to ``POST /api/conversation`` with Django's test ``Client`` (the real view, services,
router, search index and built-in responder; Celery runs eagerly), the answer is fetched from its
answer endpoint when it is pending, and the checks are evaluated against what the user sees after
the turn:

* **results**: the turn's result list (top 10) — title, publisher, source, formats, temporal
  coverage, and from the catalog row: update frequency, licence, landing page. A turn that returns
  no results and is not a search/refine turn (a question answered in words, smalltalk) leaves the
  previous list on screen, so the previous list is carried forward; a ``search_state`` field with
  the shown ids (``result_ids`` / ``shown_ids`` / ``results``) is used when results are absent.
* **reply text**: ``reply`` + the answer text + any ``table``/``comparison`` structure (in the
  response, in ``answer_data`` or in ``search_state``) flattened to text.
* **search_state**: the structured state when the API returns one (optional).

Turn ``tags`` (default: the dialogue's tags) attribute that turn's checks to forms in the per-tag
breakdown. Each check is one unit; the score is passed checks / all checks.

Check vocabulary (a check is a one-key object ``{type: argument}``; names compare case-insensitively):

  Result-list checks (vacuously true on an empty list unless noted; pair them with min_results)
  ``min_results`` n / ``max_results`` n       number of results shown
  ``publishers_exclude`` [names]               no result published by any of these (full names)
  ``publishers_only`` [names]                  every result published by one of these
  ``publishers_any`` [names]                   at least one result published by one of these
  ``sources_exclude`` / ``sources_only`` / ``sources_any`` [names]   same for the source (name or slug)
  ``formats_exclude`` [fmts]                   no result whose formats are all in the list (a result
                                               with no formats listed does not count as one of them)
  ``formats_include_only`` [fmts]              every result offers at least one of them
  ``formats_any`` [fmts]                       at least one result offers one of them
  ``titles_exclude_term`` [terms]              no title contains any term (substring)
  ``titles_exclude_exact`` [titles]            no result has exactly this title (a named dataset)
  ``titles_include_term`` [terms]              every title contains one of the terms
  ``titles_any_term`` [terms]                  at least one title contains one of the terms
  ``results_include_title`` [titles]           at least one result has one of these exact titles
  ``frequency_only`` [freqs]                   every result's frequency metadata or title says one of
                                               them (annual/yearly, quarterly, monthly, weekly, daily,
                                               half-yearly, realtime)
  ``frequency_exclude`` [freqs]                no result whose frequency metadata is one of them
  ``coverage_overlaps`` [from, to]             every dated result overlaps the years (null = open);
                                               results without dates are allowed
  ``has_undated``                              at least one result without coverage dates is kept
  ``results_changed`` / ``results_same``       result ids (in order) differ from / equal the previous turn's
  ``results_same_as_turn`` k                   result ids equal those after turn k (1-based)
  ``state_unchanged``                          search_state equals the previous one (when both turns
                                               return one), else the same as results_same

  Reply checks (reply + answer + table text)
  ``reply_mentions`` [s] / ``reply_mentions_any`` [s] / ``reply_not_mentions`` [s]   substrings
  ``reply_has_table``                          a table structure in the response or a markdown/HTML table
  ``reply_names_result`` {"rank": k, "field": f, "of_turn": t}
                                               the reply states field f of result #k (k=-1: the last)
                                               of the list shown after turn t (default: the previous
                                               turn); f in title, publisher, license, formats,
                                               coverage (start and end years), frequency
  ``reply_names_first`` {"rank": k | "extreme": e | "titles": [...], "of_turn": t}
                                               the first dataset of that list named in the reply is the
                                               expected one: result #k, or the extreme e among them —
                                               earliest_start, longest_history (earliest start or
                                               longest span), most_recent (latest coverage end, open
                                               ranges count as current, or latest update)
  ``reply_states_count`` {"format"|"publisher"|"frequency": v, "of_turn": t}
                                               the reply gives how many of the shown results match
                                               (the number, or "all"/"none" when it is all/none)
  ``reply_links_dataset`` {"rank": k | "title": s, "of_turn": t}
                                               the reply or answer carries the dataset's landing page,
                                               catalog page or (research datasets) paper link
  ``offers_undo``                              the reply offers to undo (undo / put back / bring back /
                                               restore / remove the filter), or the response carries
                                               an undo action

  Turn checks
  ``intent`` name                              the routed intent
  ``http_ok``                                  the API answered 200

Routing: ``bench/data/routing_heldout.jsonl`` holds labelled messages written for this bench, not in
the router's kNN example bank (conversation/intent_examples.jsonl, nlu_data prototypes and catalog
topics) nor in tests/data/intents.jsonl; ``routing_heldout_check()`` asserts that (exact and near
duplicates after lower-casing and stripping punctuation) and ``routing_accuracy()`` scores
``conversation.router.classify``.

The catalog comes from the same place as bench/assistant.py's sections (its DATABASE_URL/INDEX_DIR
defaults and ``assistant_catalog_ensure``); an empty database is first filled with the demo catalog
(``catalog_bootstrap``: data.gov.sg, global indicators and the research datasets the dialogues use).
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import json
import os
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
DATA = BENCH / "data"
DIALOGUES_FILE = DATA / "dialogues.jsonl"
ROUTING_FILE = DATA / "routing_heldout.jsonl"

# A bench drives hundreds of turns from one client: lift the anonymous API throttle (before settings load).
os.environ.setdefault("API_THROTTLE_ANON", "1000000/min")
os.environ.setdefault("API_THROTTLE_USER", "1000000/min")
sys.path.insert(0, str(BENCH))

import assistant as assistant_bench  # noqa: E402  (sets DATABASE_URL/INDEX_DIR defaults and runs django.setup())

GEO_FORMATS = ("KML", "GEOJSON", "SHP", "KMZ")
SEARCH_INTENTS = ("search", "refine")
ANSWER_POLLS = 40

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


# --- loading -----------------------------------------------------------------------------------


def load_dialogues(path=DIALOGUES_FILE) -> list[dict]:
    with Path(path).open(encoding="utf-8") as fh:
        dialogues = [json.loads(line) for line in fh if line.strip()]
    ids = Counter(d["id"] for d in dialogues)
    duplicates = [i for i, n in ids.items() if n > 1]
    if duplicates:
        raise ValueError(f"duplicate dialogue ids: {duplicates}")
    for d in dialogues:
        for turn in d["turns"]:
            for check in turn.get("checks", []):
                if len(check) != 1 or next(iter(check)) not in CHECKS:
                    raise ValueError(f"{d['id']}: unknown check {check}")
    return dialogues


def ensure_catalog() -> int:
    """The bench database's catalog: the demo catalog when empty, then assistant_catalog_ensure (index)."""
    from django.core.management import call_command

    from catalog.demo import catalog_bootstrap
    from catalog.models import Dataset

    call_command("migrate", verbosity=0)
    if not Dataset.objects.exists():
        print("loading the demo catalog (first run only) ...", file=sys.stderr)
        catalog_bootstrap()
    size = assistant_bench.assistant_catalog_ensure()
    if not Dataset.objects.filter(source__slug="paperswithcode").exists():
        print("warning: no research datasets in this catalog; research dialogues will fail", file=sys.stderr)
    return size


# --- what the user sees --------------------------------------------------------------------------


@dataclass
class CheckResult:
    check: str
    arg: object
    passed: bool
    observed: str = ""


@dataclass
class TurnOutcome:
    dialogue_id: str
    turn: int  # 1-based
    user: str
    tags: list[str]
    status: int
    intent: str | None
    reply: str  # everything the user reads: reply, answer, table
    results: list[dict]  # the list on screen after the turn, enriched from the catalog
    search_state: dict | None
    response: dict
    checks: list[CheckResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ids(self) -> list:
        return [r.get("id") for r in self.results]


_CATALOG_CACHE: dict[int, dict] = {}


def _catalog_row(dataset_id) -> dict:
    from catalog.models import Dataset

    if dataset_id in _CATALOG_CACHE:
        return _CATALOG_CACHE[dataset_id]
    row = {}
    ds = Dataset.objects.select_related("publisher", "source").filter(pk=dataset_id).first()
    if ds is not None:
        row = {
            "id": ds.pk,
            "title": ds.title,
            "publisher": ds.publisher.name if ds.publisher else None,
            "source": ds.source.slug,
            "source_name": ds.source.name,
            "formats": list(ds.formats or []),
            "temporal_start": ds.temporal_start.isoformat() if ds.temporal_start else None,
            "temporal_end": ds.temporal_end.isoformat() if ds.temporal_end else None,
            "frequency": ds.update_frequency or "",
            "license": ds.license or "",
            "landing_url": ds.landing_url or "",
            "page_url": ds.get_absolute_url(),
            "paper_url": (ds.extra or {}).get("paper_url") or "",
            "modified": ds.source_modified_at.isoformat() if ds.source_modified_at else None,
        }
    _CATALOG_CACHE[dataset_id] = row
    return row


def enrich(result: dict) -> dict:
    """A shown result plus the catalog fields the API does not return (frequency, licence, links)."""
    row = dict(_catalog_row(result.get("id")))
    for key, value in result.items():
        if value is not None or key not in row:
            row[key] = value
    if not row.get("frequency"):
        row["frequency"] = result.get("update_frequency") or result.get("frequency") or row.get("frequency") or ""
    return row


def _state_ids(state) -> list | None:
    """The shown result ids a search_state carries (result_ids, shown_ids, last_results, {"ids": [...]} …)."""
    if not isinstance(state, dict):
        return None
    keys = ["result_ids", "shown_ids", "shown", "last_shown", "last_results", "results"]
    keys += [k for k in state if ("result" in k or "shown" in k) and k not in keys]
    for key in keys:
        value = state.get(key)
        if isinstance(value, dict):
            value = value.get("ids") or value.get("result_ids")
        if isinstance(value, list) and value:
            ids = [v.get("id") if isinstance(v, dict) else v for v in value]
            if all(isinstance(i, int) for i in ids):
                return ids
    return None


def _flatten(value) -> str:
    """A table/comparison structure as text (cells, headers, titles), for the reply checks."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return " | ".join(f"{k}: {_flatten(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "\n".join(_flatten(v) for v in value)
    return str(value)


def _table_structures(response: dict) -> list:
    found = []
    answer_data = response.get("answer_data") or {}
    state = response.get("search_state") or {}
    for holder in (
        response,
        answer_data if isinstance(answer_data, dict) else {},
        state if isinstance(state, dict) else {},
    ):
        for key in ("table", "comparison", "compare"):
            if holder.get(key):
                found.append(holder[key])
    return found


def _answer_text(client, response: dict) -> tuple[str, dict]:
    """The answer, polling the answer endpoint while it is pending (eager tasks: at once)."""
    answer, data = response.get("answer"), response.get("answer_data")
    status = response.get("answer_status")
    url = response.get("answer_url")
    polls = 0
    while status == "pending" and url and polls < ANSWER_POLLS:
        got = client.get(url)
        if got.status_code != 200:
            break
        body = got.json()
        status, answer, data = body.get("status"), body.get("answer"), body.get("answer_data")
        if status == "pending":
            time.sleep(0.05)
        polls += 1
    return answer or "", data or {}


def run_dialogue(client, dialogue: dict) -> list[TurnOutcome]:
    """Play one dialogue through POST /api/conversation and evaluate every turn's checks."""
    outcomes: list[TurnOutcome] = []
    conversation_id = None
    shown: list[dict] = []
    for number, turn in enumerate(dialogue["turns"], start=1):
        payload = {"message": turn["user"]}
        if conversation_id:
            payload["conversation_id"] = conversation_id
        started = time.perf_counter()
        http = client.post("/api/conversation", data=json.dumps(payload), content_type="application/json")
        try:
            body = http.json()
        except ValueError:
            body = {"detail": http.content.decode("utf-8", "replace")}
        seconds = time.perf_counter() - started
        if http.status_code == 200:
            conversation_id = body.get("conversation_id") or conversation_id
            answer, answer_data = _answer_text(client, body)
            body = {**body, "answer": answer, "answer_data": answer_data}
            intent = body.get("intent")
            state = body.get("search_state")
            results = body.get("results") or []
            if results:
                shown = [enrich(r) for r in results]
            else:
                ids = _state_ids(state)
                if ids:
                    shown = [enrich({"id": i}) for i in ids]
                elif intent in SEARCH_INTENTS:
                    shown = []
            texts = [body.get("reply") or "", answer]
            texts += [_flatten(t) for t in _table_structures(body)]
            reply = "\n".join(t for t in texts if t)
        else:
            intent, state, answer_data = None, None, {}
            reply = _flatten(body)  # what the client would show: the error
        outcome = TurnOutcome(
            dialogue_id=dialogue["id"],
            turn=number,
            user=turn["user"],
            tags=list(turn.get("tags") or dialogue.get("tags") or []),
            status=http.status_code,
            intent=intent,
            reply=reply,
            results=list(shown),
            search_state=state if isinstance(state, dict) else None,
            response=body,
            seconds=seconds,
        )
        outcome.checks = [evaluate(check, outcome, outcomes) for check in turn.get("checks", [])]
        outcomes.append(outcome)
    return outcomes


# --- checks ----------------------------------------------------------------------------------------


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
            from catalog.models import Dataset

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
    return o.intent == arg, f"intent {o.intent}"


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


# --- scoring ---------------------------------------------------------------------------------------


def score(outcomes: list[TurnOutcome]) -> dict:
    """Overall check accuracy, per tag and per check type, and the share of dialogues passing every check."""
    total = passed = followup_total = followup_passed = 0
    by_tag: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_check: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_dialogue: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    failures = []
    for o in outcomes:
        by_dialogue.setdefault(o.dialogue_id, [0, 0])
        for c in o.checks:
            total += 1
            passed += c.passed
            if "first-search" not in o.tags:
                followup_total += 1
                followup_passed += c.passed
            for tag in o.tags or ["untagged"]:
                by_tag[tag][0] += c.passed
                by_tag[tag][1] += 1
            by_check[c.check][0] += c.passed
            by_check[c.check][1] += 1
            by_dialogue[o.dialogue_id][0] += c.passed
            by_dialogue[o.dialogue_id][1] += 1
            if not c.passed:
                failures.append(
                    {
                        "dialogue": o.dialogue_id,
                        "turn": o.turn,
                        "user": o.user,
                        "check": {c.check: c.arg},
                        "observed": c.observed,
                    }
                )

    def pct(p, n):
        return round(p / n, 4) if n else None

    full = sum(1 for p, n in by_dialogue.values() if p == n)
    return {
        "checks": total,
        "passed": passed,
        "accuracy": pct(passed, total),
        "followup_accuracy": pct(followup_passed, followup_total),  # every turn but the opening searches
        "followup_checks": followup_total,
        "dialogues": len(by_dialogue),
        "dialogues_full_pass": full,
        "dialogue_full_pass_rate": pct(full, len(by_dialogue)),
        "by_tag": {t: {"accuracy": pct(p, n), "passed": p, "checks": n} for t, (p, n) in sorted(by_tag.items())},
        "by_check": {t: {"accuracy": pct(p, n), "passed": p, "checks": n} for t, (p, n) in sorted(by_check.items())},
        "failures": failures,
    }


# --- routing on held-out messages ------------------------------------------------------------------


def load_routing(path=ROUTING_FILE) -> list[dict]:
    with Path(path).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _key(text: str) -> str:
    text = _norm(text).replace("'", "")
    return re.sub(r"[^0-9a-z]+", " ", text).strip()


def _bank_texts() -> list[str]:
    from conversation.router import knn

    texts = [t for t, _intent, _needs in knn.bank_examples()]
    intents = ROOT / "tests" / "data" / "intents.jsonl"
    if intents.exists():
        texts += [row["text"] for row in assistant_bench.load_intents(intents)]
    return texts


def routing_overlaps(messages: list[dict], *, near: float = 0.9) -> list[tuple[str, str, float]]:
    """Held-out messages that are in the example bank or tests/data/intents.jsonl, exactly or nearly."""
    bank = {_key(t): t for t in _bank_texts()}
    bank_tokens = {k: frozenset(k.split()) for k in bank}
    overlaps = []
    for row in messages:
        k = _key(row["text"])
        if k in bank:
            overlaps.append((row["text"], bank[k], 1.0))
            continue
        tokens = frozenset(k.split())
        matcher = difflib.SequenceMatcher(a=k, autojunk=False)
        for other, other_tokens in bank_tokens.items():
            if tokens and tokens == other_tokens:
                overlaps.append((row["text"], bank[other], 1.0))
                break
            matcher.set_seq2(other)
            if matcher.real_quick_ratio() >= near and matcher.quick_ratio() >= near and matcher.ratio() >= near:
                overlaps.append((row["text"], bank[other], round(matcher.ratio(), 3)))
                break
    return overlaps


def routing_heldout_check(path=ROUTING_FILE) -> int:
    """Assert the held-out routing set is disjoint from the router's bank and the test set; returns its size."""
    from conversation import router

    messages = load_routing(path)
    bad = [
        m
        for m in messages
        if m.get("intent") not in router.INTENTS or not isinstance(m.get("has_previous_search"), bool)
    ]
    assert not bad, f"malformed rows: {bad[:3]}"
    keys = Counter(_key(m["text"]) for m in messages)
    dupes = [k for k, n in keys.items() if n > 1]
    assert not dupes, f"duplicate held-out messages: {dupes[:5]}"
    overlaps = routing_overlaps(messages)
    assert not overlaps, "held-out messages overlap the example bank / test set: " + "; ".join(
        f"{a!r} ~ {b!r} ({r})" for a, b, r in overlaps[:10]
    )
    return len(messages)


def routing_accuracy(messages: list[dict]) -> dict:
    """conversation.router.classify on each message: accuracy, confusion (gold -> predicted -> n), misses."""
    from conversation import router

    confusion: dict[str, Counter] = defaultdict(Counter)
    misses = []
    correct = 0
    for row in messages:
        got = router.classify(row["text"], has_previous_search=row["has_previous_search"]).intent
        confusion[row["intent"]][got] += 1
        if got == row["intent"]:
            correct += 1
        else:
            misses.append(
                {
                    "text": row["text"],
                    "gold": row["intent"],
                    "got": got,
                    "has_previous_search": row["has_previous_search"],
                }
            )
    per_class = {
        label: round(confusion[label][label] / sum(confusion[label].values()), 4) if confusion[label] else None
        for label in router.INTENTS
    }
    return {
        "accuracy": round(correct / len(messages), 4) if messages else None,
        "n": len(messages),
        "recall_by_intent": per_class,
        "confusion": {g: dict(c) for g, c in confusion.items()},
        "misses": misses,
    }


# --- main ------------------------------------------------------------------------------------------


def run_all(dialogues: list[dict], *, llm: bool = False) -> list[TurnOutcome]:
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    if not llm:
        settings.LLM_PROVIDERS = []  # the built-in responder, whatever the environment configures
    cache.clear()
    outcomes = []
    for dialogue in dialogues:
        outcomes += run_dialogue(Client(), dialogue)
    return outcomes


def _print_dialogue(outcomes: list[TurnOutcome]) -> None:
    for o in outcomes:
        mark = "".join("." if c.passed else "F" for c in o.checks)
        print(f"  [{o.dialogue_id} #{o.turn}] {o.user[:90]!r} -> {o.intent} ({o.status}) {mark}")
        flat = re.sub(r"\s+", " ", o.reply)
        print(f"      reply: {flat[:300]}")
        for i, r in enumerate(o.results[:10], 1):
            print(f"      {i:2}. {_short(r)}")
        for c in o.checks:
            if not c.passed:
                print(f"      FAIL {c.check} {json.dumps(c.arg)}: {c.observed}")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dialogues", default=str(DIALOGUES_FILE))
    parser.add_argument("--routing", default=str(ROUTING_FILE))
    parser.add_argument("--tag", action="append", help="only dialogues with this tag (repeatable)")
    parser.add_argument("--id", action="append", help="only this dialogue id (repeatable)")
    parser.add_argument("--only", choices=["dialogues", "routing"], help="run one part only")
    parser.add_argument("--verbose", action="store_true", help="print every turn: reply, results, failed checks")
    parser.add_argument("--llm", action="store_true", help="keep the configured LLM providers (default: built-in)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    figures: dict = {}
    if args.only in (None, "routing"):
        size = routing_heldout_check(args.routing)
        report = routing_accuracy(load_routing(args.routing))
        print(
            f"\nRouting on held-out messages (disjoint from the kNN bank and tests/data/intents.jsonl): "
            f"{report['accuracy']:.1%} of {size}"
        )
        print("  recall: " + ", ".join(f"{k} {v:.1%}" for k, v in report["recall_by_intent"].items() if v is not None))
        for gold, row in sorted(report["confusion"].items()):
            print(f"  {gold:<13} -> " + ", ".join(f"{k} {n}" for k, n in sorted(row.items(), key=lambda x: -x[1])))
        if args.verbose:
            for m in report["misses"]:
                print(f"  MISS {m['text']!r} gold={m['gold']} got={m['got']} prev={m['has_previous_search']}")
        figures["routing_heldout"] = {k: v for k, v in report.items() if k != "misses"}
    if args.only in (None, "dialogues"):
        catalog_size = ensure_catalog()
        dialogues = load_dialogues(args.dialogues)
        if args.tag:
            dialogues = [d for d in dialogues if set(args.tag) & set(d.get("tags", []))]
        if args.id:
            dialogues = [d for d in dialogues if d["id"] in args.id]
        started = time.perf_counter()
        outcomes = run_all(dialogues, llm=args.llm)
        elapsed = time.perf_counter() - started
        result = score(outcomes)
        if args.verbose:
            by_id = defaultdict(list)
            for o in outcomes:
                by_id[o.dialogue_id].append(o)
            for dialogue_id, turns in by_id.items():
                print(f"\n{dialogue_id}")
                _print_dialogue(turns)
        print(
            f"\nDialogues: {result['accuracy']:.1%} of {result['checks']} checks passed; "
            f"{result['dialogues_full_pass']}/{result['dialogues']} dialogues pass every check "
            f"({len(outcomes)} turns, {elapsed:.0f}s, catalog {catalog_size})"
        )
        print(f"  follow-up turns only: {result['followup_accuracy']:.1%} of {result['followup_checks']} checks")
        print("  by tag:")
        for tag, row in result["by_tag"].items():
            print(f"    {tag:<26}{row['accuracy']:>8.1%}  ({row['passed']}/{row['checks']})")
        print("  by check:")
        for name, row in result["by_check"].items():
            print(f"    {name:<26}{row['accuracy']:>8.1%}  ({row['passed']}/{row['checks']})")
        print(f"  failing checks ({len(result['failures'])}):")
        for f in result["failures"]:
            print(
                f"    {f['dialogue']} #{f['turn']} {f['user'][:60]!r} {json.dumps(f['check'])[:120]} -> {f['observed'][:200]}"
            )
        figures["dialogues"] = {k: v for k, v in result.items() if k not in ("failures", "by_check")}
        figures["dialogues"]["by_tag"] = {k: v["accuracy"] for k, v in result["by_tag"].items()}
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
