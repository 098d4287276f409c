"""Driving the dialogues through ``POST /api/conversation``, scoring the checks, the printed report.

Each turn is sent with Django's test ``Client`` (the real view, services, router, search index and
built-in responder; Celery runs eagerly); ``TurnOutcome.seconds`` is the server time of that POST.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter, defaultdict
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.test import Client

from . import DIALOGUES_FILE
from .checks import CHECKS, evaluate
from .matching import _short
from .seen import TurnOutcome, _flatten, _state_ids, _table_structures, enrich

SEARCH_INTENTS = ("search", "refine")
ANSWER_POLLS = 40
REFINE_TURN_TARGET_P95_MS = 150.0  # the target for a refinement turn with the built-in responder


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


def run_all(dialogues: list[dict], *, llm: bool = False) -> list[TurnOutcome]:
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


def report_print(result: dict, outcomes: list[TurnOutcome], *, elapsed: float, catalog_size: int, verbose=False):
    """The dialogue report: overall and follow-up accuracy, per tag, per check type, failing checks."""
    if verbose:
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


def figures(result: dict) -> dict:
    """The dialogue figures for a JSON line: the score without failures and per-check rows, tags as accuracy."""
    out = {k: v for k, v in result.items() if k not in ("failures", "by_check")}
    out["by_tag"] = {k: v["accuracy"] for k, v in result["by_tag"].items()}
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def followup_latency(outcomes: list[TurnOutcome]) -> dict:
    """Server time of ``POST /api/conversation`` for follow-up turns (every turn after a dialogue's first),
    all of them and those routed ``refine``, in ms."""
    followups = [o for o in outcomes if o.turn > 1 and o.status == 200]
    figures = {"followup_turns": len(followups), "target_p95_ms": REFINE_TURN_TARGET_P95_MS}
    for name, turns in (("followup", followups), ("refine", [o for o in followups if o.intent == "refine"])):
        ms = [o.seconds * 1000 for o in turns]
        figures[f"{name}_turn_p50_ms"] = round(percentile(ms, 0.5), 1) if ms else None
        figures[f"{name}_turn_p95_ms"] = round(percentile(ms, 0.95), 1) if ms else None
        figures[f"{name}_turn_max_ms"] = round(max(ms), 1) if ms else None
    figures["refine_turns"] = sum(1 for o in followups if o.intent == "refine")
    return figures


def followup_latency_print(latency: dict) -> None:
    print("\nFollow-up turns of the dialogues: server time of POST /api/conversation (built-in responder)")
    print(f"{'turns':<10}{'n':>5}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for label, key, n in (
        ("follow-up", "followup", latency["followup_turns"]),
        ("refine", "refine", latency["refine_turns"]),
    ):
        if n:
            print(
                f"{label:<10}{n:>5}{latency[key + '_turn_p50_ms']:>10.1f}"
                f"{latency[key + '_turn_p95_ms']:>10.1f}{latency[key + '_turn_max_ms']:>10.1f}"
            )
    print(f"target: refinement turn p95 <= {latency['target_p95_ms']:.0f} ms")
