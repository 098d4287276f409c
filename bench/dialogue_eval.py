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
  ``intent`` name                              the routed intent (one of the router's five; a question
                                               about the shown results, which the API reports as
                                               ``question``, is a ``refine``)
  ``http_ok``                                  the API answered 200

Routing: ``bench/data/routing_heldout.jsonl`` holds labelled messages written for this bench, not in
the router's kNN example bank (conversation/intent_examples.jsonl, nlu_data prototypes and catalog
topics) nor in tests/data/intents.jsonl; ``routing_heldout_check()`` asserts that (exact and near
duplicates after lower-casing and stripping punctuation) and ``routing_accuracy()`` scores
``conversation.router.classify``.

The code lives in the ``bench/dialogues/`` package (checks, runner, routing); this file is its command
line. bench/assistant.py runs the same two parts as its ``routing_heldout`` and ``dialogues`` sections.

The catalog comes from the same place as bench/assistant.py's sections (its DATABASE_URL/INDEX_DIR
defaults and ``assistant_catalog_ensure``); an empty database is first filled with the demo catalog
(``catalog_bootstrap``: data.gov.sg, global indicators and the research datasets the dialogues use).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent

# A bench drives hundreds of turns from one client: lift the anonymous API throttle (before settings load).
os.environ.setdefault("API_THROTTLE_ANON", "1000000/min")
os.environ.setdefault("API_THROTTLE_USER", "1000000/min")
sys.path.insert(0, str(BENCH))

import assistant  # noqa: E402, F401  (sets DATABASE_URL/INDEX_DIR defaults and runs django.setup())
from dialogues import DIALOGUES_FILE, ROUTING_FILE, routing, runner  # noqa: E402
from dialogues.catalog_setup import ensure_catalog  # noqa: E402
from dialogues.routing import load_routing, routing_accuracy, routing_heldout_check  # noqa: E402
from dialogues.runner import load_dialogues, run_all, score  # noqa: E402


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
        routing.report_print(report, size, misses=args.verbose)
        figures["routing_heldout"] = routing.figures(report)
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
        runner.report_print(result, outcomes, elapsed=elapsed, catalog_size=catalog_size, verbose=args.verbose)
        figures["dialogues"] = runner.figures(result)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
