"""The assistant's dialogue bench: multi-turn accuracy through the HTTP API, and held-out routing.

    seen.py           what the user sees after a turn (TurnOutcome, results enriched from the catalog)
    matching.py       text normalisation and the field/frequency/coverage helpers the checks use
    checks.py         the check vocabulary (documented in bench/dialogue_eval.py) and ``evaluate``
    runner.py         driving ``POST /api/conversation``, scoring, the printed report and follow-up latency
    routing.py        held-out routing: disjointness from the kNN example bank, accuracy
    catalog_setup.py  the bench database's catalog (demo catalog when empty, indexed)

Entry points: ``bench/dialogue_eval.py`` (this bench alone) and ``bench/assistant.py`` (its
``routing_heldout`` and ``dialogues`` sections). Both put ``bench/`` on sys.path and run
``django.setup()`` before importing this package, whose modules import Django models at the top.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DATA = ROOT / "bench" / "data"
DIALOGUES_FILE = DATA / "dialogues.jsonl"
ROUTING_FILE = DATA / "routing_heldout.jsonl"
ROUTING_BLIND_FILE = DATA / "routing_blind.jsonl"
ROUTING_FRESH_FILE = DATA / "routing_fresh.jsonl"
ROUTING_FRESH_TUNED_FILE = DATA / "routing_fresh_tuned.jsonl"  # later writers' batches, tuned on after their first run
