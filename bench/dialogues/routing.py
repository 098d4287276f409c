"""Routing scores: the per-class report of bench/assistant.py's router section, and held-out routing —
messages written for the bench, checked disjoint from the router's kNN example bank
(conversation/data/intent_examples.jsonl, nlu_data prototypes and catalog topics) and from
tests/data/intents.jsonl, then scored with ``conversation.router.classify``.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

from conversation import router
from conversation.router import model

from . import ROOT, ROUTING_FILE
from .matching import _norm


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


def load_routing(path=ROUTING_FILE) -> list[dict]:
    with Path(path).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _key(text: str) -> str:
    text = _norm(text).replace("'", "")
    return re.sub(r"[^0-9a-z]+", " ", text).strip()


def _bank_texts() -> list[str]:
    texts = [t for t, _intent, _needs in model.training_examples()]  # the kNN bank and the arbiter's training set
    intents = ROOT / "tests" / "data" / "intents.jsonl"
    if intents.exists():
        texts += [row["text"] for row in load_routing(intents)]
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


def report_print(report: dict, size: int, *, misses: bool = False) -> None:
    """Accuracy, per-intent recall and the confusion rows (and with ``misses``, every miss)."""
    print(
        "\nRouting on held-out messages (disjoint from the kNN bank, the arbiter's training set and "
        "tests/data/intents.jsonl): "
        f"{report['accuracy']:.1%} of {size}"
    )
    print("  recall: " + ", ".join(f"{k} {v:.1%}" for k, v in report["recall_by_intent"].items() if v is not None))
    for gold, row in sorted(report["confusion"].items()):
        print(f"  {gold:<13} -> " + ", ".join(f"{k} {n}" for k, n in sorted(row.items(), key=lambda x: -x[1])))
    if misses:
        for m in report["misses"]:
            print(f"  MISS {m['text']!r} gold={m['gold']} got={m['got']} prev={m['has_previous_search']}")


def figures(report: dict) -> dict:
    """The routing figures for a JSON line (everything but the list of misses)."""
    return {k: v for k, v in report.items() if k != "misses"}
