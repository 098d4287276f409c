"""Assistant bench: intent-router accuracy on the labelled set (more sections are added by the assistant).

    .venv/bin/python bench/assistant.py [--intents tests/data/intents.jsonl] [--rules-only] [--misses]

Sections are functions ``section_<name>(args) -> dict`` listed in ``SECTIONS``; each prints its own
table and returns a JSON-able dict. main() runs them in order and prints one final JSON line with
every section's figures, e.g. {"router": {...}, ...}.

Router section: per-class precision / recall / F1 and overall accuracy, for the whole set and per
split. Every batch was written before the router saw it: ``dev`` (first batch, the rules were
developed on it), ``fresh1``, ``fresh2`` and ``blind1`` (each measured on first sight — 84%, 85% and
89% — and only then used for tuning), ``blind2`` (measured once at the end and never tuned on: the
honest estimate of accuracy on unseen phrasing). ``--rules-only`` measures the rules without the
embedding vote.
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

import django  # noqa: E402

django.setup()

from conversation import router  # noqa: E402

INTENTS_FILE = ROOT / "tests" / "data" / "intents.jsonl"


def load_intents(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def classification_report(gold: list[str], predicted: list[str], labels: tuple[str, ...]) -> dict:
    """Per-class precision/recall/F1/support and overall accuracy."""
    tp, fp, fn, support = Counter(), Counter(), Counter(), Counter(gold)
    for g, p in zip(gold, predicted, strict=True):
        if g == p:
            tp[g] += 1
        else:
            fp[p] += 1
            fn[g] += 1
    per_class = {}
    for label in labels:
        precision = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 0.0
        recall = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "f1": round(f1, 3),
            "support": support[label],
        }
    accuracy = sum(tp.values()) / len(gold) if gold else 0.0
    return {"accuracy": round(accuracy, 4), "n": len(gold), "per_class": per_class}


def print_report(title: str, report: dict) -> None:
    print(f"\n{title}: accuracy {report['accuracy']:.1%} on {report['n']} messages")
    print(f"  {'intent':<14}{'precision':>10}{'recall':>10}{'f1':>8}{'support':>9}")
    for label, row in report["per_class"].items():
        print(f"  {label:<14}{row['precision']:>10.3f}{row['recall']:>10.3f}{row['f1']:>8.3f}{row['support']:>9}")


def section_router(args) -> dict:
    rows = load_intents(Path(args.intents))
    if args.rules_only:
        router._Prototypes._failed = True  # bench only: measure the rules without the model
    started = time.perf_counter()
    router._Prototypes.get()  # load the model and prototypes outside the timing of messages
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
    voted = sum(1 for res in results if "embedding vote" in res.reason)
    print(
        f"  embedding model: {'off' if router._Prototypes.get() is None else 'on'}; "
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
        "embeddings": router._Prototypes.get() is not None,
        "ms_per_message": round(elapsed * 1000 / len(rows), 2),
    }


# The assistant helper appends its sections here (turn latency, groundedness).
SECTIONS = [("router", section_router)]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--intents", default=str(INTENTS_FILE), help="labelled intents (JSON lines)")
    parser.add_argument("--rules-only", action="store_true", help="router without the embedding vote")
    parser.add_argument("--misses", action="store_true", help="list misclassified messages")
    parser.add_argument("--only", action="append", help="run only these sections (repeatable)")
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
