"""Assistant bench: intent-router accuracy (labelled set and held-out messages), dialogue accuracy,
full-turn latency and groundedness.

    .venv/bin/python bench/assistant.py [--intents tests/data/intents.jsonl] [--rules-only] [--misses]
        [--only router|routing_heldout|dialogues|turns|grounded_llm] [--turns N] [--torch-threads N]

Sections are functions ``section_<name>(args) -> dict`` listed in ``SECTIONS``; each prints its own
table and returns a JSON-able dict. main() runs them in order and prints one final JSON line with
every section's figures, e.g. {"router": {...}, "routing_heldout": {...}, "dialogues": {...}, ...}.

Router section: per-class precision / recall / F1 and overall accuracy, for the whole set and per
split. Every batch was written before the router saw it: ``dev`` (first batch, the rules were
developed on it), ``fresh1``, ``fresh2`` and ``blind1`` (each measured on first sight — 84%, 85% and
89% — and only then used for tuning), ``blind2`` (measured once at the end and never tuned on: the
honest estimate of accuracy on unseen phrasing). ``--rules-only`` measures the rules without the
embedding vote. Most of that set is also in the kNN example bank the router votes with, so:

Routing_heldout section: accuracy and per-intent recall on bench/data/routing_heldout.jsonl, messages
checked disjoint from the example bank, the arbiter's training set (conversation/data/intent_training.jsonl)
and tests/data/intents.jsonl (``--misses`` lists misses); then the same on bench/data/routing_blind.jsonl,
written by someone who saw neither the router nor its data: its "dev" half was used to tune the router, its
"test" half never was (the honest estimate on unseen phrasing).

Dialogues section: check accuracy (overall, follow-up turns, per tag) on the labelled multi-turn set
bench/data/dialogues.jsonl, played through ``POST /api/conversation`` with the built-in responder, and
the server time of that POST for the follow-up turns (p50/p95; target for a refinement turn: p95 ≤ 150
ms). Both sections reuse the dialogue bench (bench/dialogues/, CLI bench/dialogue_eval.py). They run
before the turns section, so an empty bench database gets the demo catalog the dialogues need.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "research_assistant.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# The turns sections need a real catalog: a bench database of their own unless DATABASE_URL says otherwise.
(ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench' / 'assistant.sqlite3'}")
os.environ.setdefault("INDEX_DIR", str(ROOT / "var" / "bench" / "index"))
# The dialogues section drives hundreds of turns from one client: lift the API throttle (before settings load).
os.environ.setdefault("API_THROTTLE_ANON", "1000000/min")
os.environ.setdefault("API_THROTTLE_USER", "1000000/min")

import django  # noqa: E402

django.setup()

from dialogues import ROUTING_BLIND_FILE, ROUTING_FRESH_FILE, ROUTING_FRESH_TUNED_FILE  # noqa: E402
from dialogues import routing as heldout  # noqa: E402  (bench/ is on sys.path: this script's directory)
from dialogues import runner as dialogue_runner  # noqa: E402
from dialogues.catalog_setup import assistant_catalog_ensure, ensure_catalog  # noqa: E402
from dialogues.routing import classification_report, print_report  # noqa: E402
from dialogues.runner import percentile as _percentile  # noqa: E402

from conversation import router  # noqa: E402
from conversation.router import knn  # noqa: E402

INTENTS_FILE = ROOT / "tests" / "data" / "intents.jsonl"


def load_intents(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def section_router(args) -> dict:
    rows = load_intents(Path(args.intents))
    if args.rules_only:
        knn.ExampleBank._failed = True  # bench only: measure the rules without the model
    started = time.perf_counter()
    knn.ExampleBank.get()  # load the model and prototypes outside the timing of messages
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    results = router.classify_many([(r["text"], r["has_previous_search"]) for r in rows])
    elapsed = time.perf_counter() - started
    gold = [r["intent"] for r in rows]
    predicted = [res.intent for res in results]
    overall = classification_report(gold, predicted, router.INTENTS)
    print_report("Intent router (all)", overall)
    by_split = {}
    for split in sorted({r.get("split", "dev") for r in rows}):
        idx = [i for i, r in enumerate(rows) if r.get("split", "dev") == split]
        rep = classification_report([gold[i] for i in idx], [predicted[i] for i in idx], router.INTENTS)
        by_split[split] = {"accuracy": rep["accuracy"], "n": rep["n"]}
    print("\n  by split: " + ", ".join(f"{k} {v['accuracy']:.1%} (n={v['n']})" for k, v in by_split.items()))
    voted = sum(1 for res in results if "nearest labelled examples" in res.reason)
    print(
        f"  embedding model: {'off' if knn.ExampleBank.get() is None else 'on'}; "
        f"{voted} messages settled by the vote; load {load_s:.1f}s; "
        f"{elapsed * 1000 / len(rows):.1f} ms/message (batched)"
    )
    if args.misses:
        for r, res in zip(rows, results, strict=True):
            if res.intent != r["intent"]:
                print(f"  MISS [{r.get('split')}] {r['text']!r} gold={r['intent']} got={res.intent} ({res.reason})")
    return {
        **overall,
        "by_split": by_split,
        "embeddings": knn.ExampleBank.get() is not None,
        "ms_per_message": round(elapsed * 1000 / len(rows), 2),
    }


def section_routing_heldout(args) -> dict:
    """Routing accuracy on messages that are not in the router's example bank or training set
    (bench/data/routing_heldout.jsonl), and on the blind set's two halves (bench/data/routing_blind.jsonl)."""
    size = heldout.routing_heldout_check()
    report = heldout.routing_accuracy(heldout.load_routing())
    heldout.report_print(report, size, misses=args.misses)
    figures = heldout.figures(report)
    heldout.routing_heldout_check(ROUTING_BLIND_FILE)
    blind = heldout.load_routing(ROUTING_BLIND_FILE)
    for split in ("dev", "test"):
        rows = [row for row in blind if row["split"] == split]
        split_report = heldout.routing_accuracy(rows)
        print(f"\nBlind set, {split} half ({'the router was tuned on it' if split == 'dev' else 'never tuned on'}):")
        heldout.report_print(split_report, len(rows), misses=args.misses and split == "dev")
        figures[f"blind_{split}"] = heldout.figures(split_report)
    # Six more writers, written blind to the router (bench/data/README.md): 60% of the first five batches went into the
    # arbiter's training set, this 40% never did. First sight, before any tuning: 77.5-86.2%.
    fresh, fresh_report = _routing_file(ROUTING_FRESH_FILE, "Fresh writers' held-out 40% (never trained or tuned on)")
    figures["fresh_test"] = heldout.figures(fresh_report)
    figures["fresh_test"]["by_batch"] = _by_batch(fresh, fresh_report)
    # Eighteen more writers' batches: each run once (fresh9 92.5 %, fresh10 91.5 %, fresh11 93.4 %, fresh12 95.1 %, fresh13
    # 95.7 %, fresh14 95.7 %, fresh15 93.9 %, fresh16 94.8 %, fresh17 96.4 %, fresh18 94.9 %, fresh19 94.3 %, fresh20
    # 92.8 %, fresh21 89.8 %, fresh22 93.1 %, fresh23 90.5 %, fresh24 91.7 %, fresh25 85.4 %, fresh26 95.9 %, fresh27
    # 96.8 %, fresh28 92.9 % on first sight), then tuned on it.
    tuned, tuned_report = _routing_file(
        ROUTING_FRESH_TUNED_FILE,
        "fresh9 to fresh28, written blind (92.5, 91.5, 93.4, 95.1, 95.7, 95.7, 93.9, 94.8, 96.4, 94.9, 94.3, 92.8, 89.8, "
        "93.1, 90.5, 91.7, 85.4, 95.9, 96.8 and 92.9 % on first sight, then tuned on)",
    )
    figures["fresh_tuned"] = heldout.figures(tuned_report)
    figures["fresh_tuned"]["by_batch"] = _by_batch(tuned, tuned_report)
    return figures


def _by_batch(rows: list[dict], report: dict) -> dict[str, float]:
    """Accuracy per writer's batch, printed on one line."""
    missed = Counter((m["text"], m["has_previous_search"]) for m in report["misses"])
    by_batch: dict[str, tuple[int, int]] = {}
    for row in rows:
        n, ok = by_batch.get(row["batch"], (0, 0))
        by_batch[row["batch"]] = (n + 1, ok + (missed[(row["text"], row["has_previous_search"])] == 0))
    print("  by batch: " + ", ".join(f"{b} {ok / n:.1%} of {n}" for b, (n, ok) in sorted(by_batch.items())))
    return {b: round(ok / n, 4) for b, (n, ok) in sorted(by_batch.items())}


def _routing_file(path, title: str) -> tuple[list[dict], dict]:
    """One routing set, checked disjoint from the router's data, scored and printed under ``title``."""
    heldout.routing_heldout_check(path)
    rows = heldout.load_routing(path)
    report = heldout.routing_accuracy(rows)
    print(f"\n{title}:")
    heldout.report_print(report, len(rows), misses=False)
    return rows, report


def section_dialogues(args) -> dict:
    """Check accuracy on the labelled dialogues and the server time of their follow-up turns (built-in)."""
    catalog_size = ensure_catalog()
    started = time.perf_counter()
    outcomes = dialogue_runner.run_all(dialogue_runner.load_dialogues())
    elapsed = time.perf_counter() - started
    result = dialogue_runner.score(outcomes)
    dialogue_runner.report_print(result, outcomes, elapsed=elapsed, catalog_size=catalog_size)
    latency = dialogue_runner.followup_latency(outcomes)
    dialogue_runner.followup_latency_print(latency)
    return {**dialogue_runner.figures(result), **latency}


BLIND_DIALOGUES = [
    # (file, when it was first run: the figure on first sight is the honest one; later runs were tuned on it)
    ("dialogues_blind1.jsonl", "written blind; 90.0 % on first sight, then tuned on"),
    ("dialogues_blind2.jsonl", "written blind; 84.6 % on first sight, then tuned on"),
    ("dialogues_blind3.jsonl", "written blind; 87.4 % on first sight, then tuned on"),
    ("dialogues_blind4.jsonl", "written blind; 81.7 % on first sight, then tuned on"),
    ("dialogues_blind5.jsonl", "written blind; 93.1 % on first sight, then tuned on"),
    ("dialogues_blind6.jsonl", "written blind; 89.0 % on first sight, then tuned on"),
    ("dialogues_blind7.jsonl", "written blind; 86.8 % on first sight, then tuned on"),
    ("dialogues_blind8.jsonl", "written blind; 82.8 % on first sight, then tuned on"),
    ("dialogues_blind9.jsonl", "written blind; 94.1 % on first sight, then tuned on"),
    ("dialogues_blind10.jsonl", "written blind; 92.7 % on first sight, then tuned on"),
    ("dialogues_blind11.jsonl", "written blind; 89.1 % on first sight, then tuned on"),
    ("dialogues_blind12.jsonl", "written blind; 90.6 % on first sight, then tuned on"),
    ("dialogues_blind13.jsonl", "written blind; 93.0 % on first sight, then tuned on"),
    ("dialogues_blind14.jsonl", "written blind; 88.0 % on first sight, then tuned on"),
    ("dialogues_blind15.jsonl", "written blind; 90.1 % on first sight, then tuned on"),
    ("dialogues_blind16.jsonl", "written blind; 93.2 % on first sight, then tuned on"),
    ("dialogues_blind17.jsonl", "written blind; 89.7 % on first sight, then tuned on"),
    ("dialogues_blind18.jsonl", "written blind; 91.0 % on first sight, then tuned on"),
    ("dialogues_blind19.jsonl", "written blind; 89.5 % on first sight, then tuned on"),
    ("dialogues_blind20.jsonl", "written blind; 93.0 % on first sight, then tuned on"),
    ("dialogues_blind21.jsonl", "written blind; 94.8 % on first sight, then tuned on"),
    ("dialogues_blind22.jsonl", "written blind; 95.8 % on first sight, then tuned on"),
    ("dialogues_blind23.jsonl", "written blind; 86.5 % on first sight, then tuned on"),
    # (70 of blind24's first-sight failures were questions that changed search_state; without them 88.2 %)
    ("dialogues_blind24.jsonl", "written blind; 80.9 % on first sight, then tuned on"),
    ("dialogues_blind25.jsonl", "written blind; 95.0 % on first sight, then tuned on"),
    # (blind26's writer was given command-line flags as an example of its engineer's voice; see bench/data/README.md)
    ("dialogues_blind26.jsonl", "written blind; 91.9 % on first sight, then tuned on"),
]


def section_dialogues_blind(args) -> dict:
    """Check accuracy on dialogue sets written by writers who never saw the parser (bench/data/README.md)."""
    ensure_catalog()
    out = {}
    for name, note in BLIND_DIALOGUES:
        outcomes = dialogue_runner.run_all(dialogue_runner.load_dialogues(ROOT / "bench" / "data" / name))
        result = dialogue_runner.score(outcomes)
        key = name.removeprefix("dialogues_").removesuffix(".jsonl")
        out[key] = {"accuracy": result["accuracy"], "checks": result["checks"], "dialogues": result["dialogues"]}
        print(
            f"{name}: {result['accuracy']:.1%} of {result['checks']} checks in {result['dialogues']} dialogues ({note})"
        )
    return out


# --- Assistant sections: full-turn latency and groundedness (helper "assistant") ---------------
#
# These run against a real catalog in a database: by default a SQLite file under var/bench/
# (created, imported from ../shared/data and indexed on first use, then reused), or the database
# named by --database-url. Celery runs eagerly, so a turn's time includes the search, the stored
# messages and the built-in answer written on commit.

TURN_QUERIES = [
    "HDB resale prices",
    "housing data?",
    "Singapore transport datasets?",
    "I need data about public transport usage patterns in Singapore",
    "rainfall 2023",
    "energy",
    "air quality readings",
    "dengue cases by week",
    "population by age and ethnic group",
    "carpark availability",
    "electricity consumption by household",
    "school enrolment numbers",
    "tourist arrivals to Singapore",
    "GDP growth of countries",
    "consumer price index",
    "COVID-19 vaccination",
    "hawker centres locations",
    "recycling rates",
    "unemployment rate by education",
    "births and deaths registered",
    "taxi trips",
    "median household income",
    "hospital admissions",
    "land area and reclamation",
    "water consumption per capita",
    "crime statistics",
    "bus arrival data",
    "private property price index",
    "marriage and divorce trends",
    "greenhouse gas emissions",
    "retail sales index",
    "exports by destination country",
    "life expectancy at birth",
    "primary school registration",
    "temperature records",
    "parks and nature reserves",
    "road traffic accidents",
    "internet usage statistics",
    "labour force participation",
    "resident population of planning areas",
]
REFINEMENTS = ["only the CSV ones", "what about 2020?", "next page", "sort by most recent", "more like the second one"]


def _groundedness(answers: list[tuple[str, list[dict], list[dict]]], titles) -> tuple[int, int]:
    """(named datasets that are in the results, named datasets) over (text, picks, results) triples."""
    from conversation.grounding import _norm

    named = grounded = 0
    for text, picks, results in answers:
        result_ids = {r["id"] for r in results}
        result_titles = [_norm(r["title"]) for r in results]
        for pick in picks:
            named += 1
            grounded += pick["id"] in result_ids
        for norm, _raw in titles:
            if norm in _norm(text) and not any(norm in p for p in (_norm(x["title"]) for x in picks)):
                named += 1
                grounded += any(norm in rt for rt in result_titles)
    return grounded, named


def section_turns(args) -> dict:
    """p50/p95 of a full conversation turn with the built-in responder, search cache cold."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.cache import cache

    from catalog.models import Dataset
    from conversation.grounding import CATALOG_TITLE_MIN_CHARS, _norm
    from conversation.models import Message
    from conversation.services import conversation_get_or_create, conversation_turn

    if args.torch_threads:
        import torch

        # What a web process should do on a shared CPU: oversubscribed intra-op threads spin and wait.
        torch.set_num_threads(args.torch_threads)
    catalog_size = assistant_catalog_ensure()
    settings.LLM_PROVIDERS = []  # the built-in responder, whatever the environment configures
    titles = [
        (_norm(t), t)
        for t in Dataset.objects.values_list("title", flat=True)
        if len(_norm(t)) >= CATALOG_TITLE_MIN_CHARS + 2
    ]
    session = SessionStore()
    session.create()
    # Warm-up: load the embedding model and the index once (a process start, not a turn).
    started = time.perf_counter()
    warm = conversation_get_or_create(user=None, session_key=session.session_key)
    conversation_turn(conversation=warm, message="warm up", user=None)
    cold_start_ms = (time.perf_counter() - started) * 1000

    timings: dict[str, list[float]] = {"search": [], "refine": [], "other": []}
    cpu_ms: list[float] = []  # CPU time of this process: less sensitive to other work on the machine
    answers = []
    queries = TURN_QUERIES[: args.turns] if args.turns else TURN_QUERIES
    for i, query in enumerate(queries):
        conversation = conversation_get_or_create(user=None, session_key=session.session_key)
        messages = [query] + ([REFINEMENTS[i % len(REFINEMENTS)]] if i % 2 == 0 else [])
        for text in messages:
            cache.clear()  # cold: no cached search or answer
            t0, c0 = time.perf_counter(), time.process_time()
            turn = conversation_turn(conversation=conversation, message=text, user=None)
            elapsed = (time.perf_counter() - t0) * 1000
            cpu_ms.append((time.process_time() - c0) * 1000)
            message = Message.objects.get(pk=turn.message.pk)
            assert message.answer_status == Message.AnswerStatus.READY, "eager task did not answer"
            kind = turn.intent if turn.intent in ("search", "refine") else "other"
            timings[kind].append(elapsed)
            if turn.intent in ("search", "refine"):
                answers.append((message.answer, message.answer_data.get("picks", []), turn.results))
    grounded, named = _groundedness(answers, titles)
    all_turns = timings["search"] + timings["refine"] + timings["other"]
    print(f"\nFull turn, built-in responder, search cache cold ({len(all_turns)} turns)")
    print(f"{'turns':<10}{'n':>5}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for name, values in (("search", timings["search"]), ("refine", timings["refine"]), ("all", all_turns)):
        if values:
            print(
                f"{name:<10}{len(values):>5}{_percentile(values, 0.5):>10.1f}"
                f"{_percentile(values, 0.95):>10.1f}{max(values):>10.1f}"
            )
    print(
        f"{'cpu time':<10}{len(cpu_ms):>5}{_percentile(cpu_ms, 0.5):>10.1f}"
        f"{_percentile(cpu_ms, 0.95):>10.1f}{max(cpu_ms):>10.1f}  (all turns, process CPU)"
    )
    print(f"cold start (model + index load, first turn): {cold_start_ms:.0f} ms")
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.1f} during the run (other work inflates timings)")
    print(f"groundedness (built-in): {grounded}/{named} named datasets are in the results")
    return {
        "catalog_size": catalog_size,
        "turn_p50_ms": round(_percentile(all_turns, 0.5), 1),
        "turn_p95_ms": round(_percentile(all_turns, 0.95), 1),
        "search_turn_p95_ms": round(_percentile(timings["search"], 0.95), 1),
        "refine_turn_p95_ms": round(_percentile(timings["refine"], 0.95), 1) if timings["refine"] else None,
        "turns": len(all_turns),
        "turn_cpu_p50_ms": round(_percentile(cpu_ms, 0.5), 1),
        "turn_cpu_p95_ms": round(_percentile(cpu_ms, 0.95), 1),
        "cold_start_ms": round(cold_start_ms),
        "load_average": round(load, 1),
        "torch_threads": args.torch_threads or "default",
        "groundedness_builtin": round(grounded / named, 4) if named else 1.0,
        "named_builtin": named,
    }


def _adversarial_server(titles: list[str]):
    """A local OpenAI-compatible server whose answers mix real citations with datasets not in the results."""
    import hashlib as _hashlib
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            prompt = body["messages"][-1]["content"]
            n = int(_hashlib.sha256(prompt.encode()).hexdigest(), 16)
            other = titles[n % len(titles)]  # a real catalog dataset, usually not in these results
            summary = (
                f"[1] is the closest match for this request. "
                f"You should also look at {other}, which covers the same ground. "
                f"The “Global Open {['Climate', 'Transport', 'Prices'][n % 3]} Database” (id {n % 90000 + 10000}) "
                f"is the definitive source. [2] adds useful detail. Dataset [{n % 5 + 11}] is worth a look too."
            )
            picks = [{"ref": 1, "why": "Closest match."}, {"ref": 14, "why": f"Also see {other}."}, {"ref": 2}]
            content = json.dumps({"summary": summary, "picks": picks})
            data = json.dumps({"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]})
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data.encode())

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def section_grounded_llm(args) -> dict:
    """Groundedness of answers from a provider that names datasets outside the results."""
    from django.conf import settings
    from django.core.cache import cache

    from catalog.models import Dataset
    from conversation.grounding import CATALOG_TITLE_MIN_CHARS, _norm
    from conversation.services import answer_compose
    from search.services import search

    assistant_catalog_ensure()
    raw_titles = [
        t
        for t in Dataset.objects.active().values_list("title", flat=True)
        if len(_norm(t)) >= CATALOG_TITLE_MIN_CHARS + 2
    ]
    titles = [(_norm(t), t) for t in raw_titles]
    server = _adversarial_server(sorted(raw_titles))
    settings.LLM_PROVIDERS = ["openai"]
    settings.OPENAI_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}/v1"
    settings.OPENAI_API_KEY = "bench"
    answers, providers = [], {"llm": 0, "builtin": 0}
    try:
        for query in TURN_QUERIES:
            cache.clear()
            results = [h.to_dict() for h in search(query=query).results]
            if not results:
                continue
            answer = answer_compose(query=query, results=results)
            providers["builtin" if answer.provider == "builtin" else "llm"] += 1
            answers.append((answer.to_text(), answer.picks, results))
    finally:
        server.shutdown()
        settings.LLM_PROVIDERS = []
    grounded, named = _groundedness(answers, titles)
    print("\nGroundedness with a provider that names datasets outside the results (local server)")
    print(f"answers from the provider: {providers['llm']}, built-in fallbacks: {providers['builtin']}")
    print(f"named datasets in the results after post-processing: {grounded}/{named}")
    return {
        "groundedness_llm_adversarial": round(grounded / named, 4) if named else 1.0,
        "named_llm_adversarial": named,
        "llm_answers": providers["llm"],
        "llm_fallbacks": providers["builtin"],
    }


SECTIONS = [
    ("router", section_router),
    ("routing_heldout", section_routing_heldout),
    ("dialogues", section_dialogues),
    ("dialogues_blind", section_dialogues_blind),
    ("turns", section_turns),
    ("grounded_llm", section_grounded_llm),
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--intents", default=str(INTENTS_FILE), help="labelled intents (JSON lines)")
    parser.add_argument("--rules-only", action="store_true", help="router without the embedding vote")
    parser.add_argument("--misses", action="store_true", help="list misclassified messages")
    parser.add_argument("--only", action="append", help="run only these sections (repeatable)")
    parser.add_argument("--turns", type=int, default=0, help="turns section: first N queries only (default all)")
    parser.add_argument("--torch-threads", type=int, default=0, help="turns section: torch intra-op threads")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    figures = {}
    for name, section in SECTIONS:
        if args.only and name not in args.only:
            continue
        figures[name] = section(args)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
