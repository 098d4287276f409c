"""The word lists and tables of the conversation's understanding, read once from ``conversation/data/``.

Text files hold one entry a line (``#`` starts a comment line); each JSON file holds its table under a
named key beside a ``_comment``. Agency names and aliases are the catalog's (``catalog.vocabulary``).
"""

from __future__ import annotations

import json
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def lines(name: str) -> list[str]:
    """The entries of a text file in ``data/``: one a line, blank and ``#`` lines skipped."""
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        return [entry for entry in (line.strip() for line in fh) if entry and not entry.startswith("#")]


def table(name: str) -> dict:
    """A JSON file of ``data/`` without its ``_comment``."""
    data = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
    data.pop("_comment", None)
    return data


# Normalisation
ABBREVIATIONS: dict[str, str] = table("abbreviations.json")["abbreviations"]
FOLLOWUP_ABBREVIATIONS: dict[str, str] = table("abbreviations.json")["followup"]
NAME_ABBREVIATIONS: dict[str, str] = table("abbreviations.json")["names"]
CONTRACTIONS: dict[str, str] = table("contractions.json")["contractions"]
EXTRA_VOCAB = lines("extra_vocab.txt")
COMMON_WORDS = lines("common_words.txt")

# Small talk
SMALLTALK_PHRASES = lines("smalltalk_phrases.txt")
VOCATIVES = frozenset(lines("vocatives.txt"))
_peeling = table("smalltalk_peeling.json")
LEAD_FILLERS = frozenset(_peeling["lead_fillers"])
TRAIL_FILLERS = frozenset(_peeling["trail_fillers"])
WEAK_LEADS = frozenset(tuple(phrase.split()) for phrase in _peeling["weak_leads"])

# Intents
CAPABILITY_NONTOPIC = frozenset(lines("capability_nontopic.txt"))
PROTOTYPES: dict[str, list[str]] = table("prototypes.json")["prototypes"]
CATALOG_TOPICS = lines("catalog_topics.txt")
RELATED_TOPICS: dict[str, str] = table("related_topics.json")["related_topics"]

# Refinements
FILLER_WORDS = frozenset(lines("filler_words.txt"))
_numbers = table("ordinals.json")
ORDINAL_WORDS: dict[str, int] = _numbers["ordinals"]
CARDINAL_WORDS: dict[str, int] = _numbers["cardinals"]
FILTER_WORDS: dict[str, str] = table("filter_words.json")["filter_words"]
FORMAT_ALIASES: dict[str, str] = table("formats.json")["formats"]
GEOGRAPHY_ALIASES: dict[str, str] = table("geography.json")["geography"]
_sources = table("sources.json")
SOURCE_ALIASES: dict[str, tuple[str, str]] = {
    alias: (source["slug"], source["label"]) for alias, source in _sources["sources"].items()
}
AMBIGUOUS_SOURCE_ALIASES = frozenset(_sources["ambiguous"])
