"""The catalog's shared vocabulary, read from ``catalog/data/``: one source per fact.

Search (agency intent in queries) and the conversation (publisher refinements) both read the
agency table from here, so "HDB" means the same publisher everywhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Agency:
    name: str  # the publisher name as the catalog spells it
    aliases: tuple[str, ...]  # acronyms and short names, lower case
    ambiguous: frozenset[str]  # aliases that are ordinary words too
    matches: tuple[str, ...]  # other forms of the name found in publisher names


@cache
def agencies() -> tuple[Agency, ...]:
    raw = json.loads((DATA_DIR / "agencies.json").read_text(encoding="utf-8"))
    return tuple(
        Agency(
            name=row["name"],
            aliases=tuple(row.get("aliases", ())),
            ambiguous=frozenset(row.get("ambiguous", ())),
            matches=tuple(row.get("matches", ())),
        )
        for row in raw["agencies"]
    )


@cache
def agency_aliases() -> dict[str, str]:
    """Every alias (and the lower-cased full name) -> the agency's catalog name."""
    table: dict[str, str] = {}
    for agency in agencies():
        table[agency.name.lower()] = agency.name
        for alias in agency.aliases:
            table[alias] = agency.name
    return table


@cache
def ambiguous_aliases() -> frozenset[str]:
    return frozenset(alias for agency in agencies() for alias in agency.ambiguous)
