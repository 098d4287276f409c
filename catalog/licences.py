"""Licence texts as sources write them -> SPDX ids (or ``LicenseRef-*`` ids for licences SPDX does not list).

The table is ``catalog/data/licences.json``. ``licence_normalise`` runs at import time and fills
``Dataset.license_id``; ``Dataset.license`` keeps the source's text verbatim.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "licences.json"
_NON_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Licence:
    id: str
    name: str
    url: str

    @property
    def is_spdx(self) -> bool:
        return not self.id.startswith("LicenseRef-")


def _fold(text: str) -> str:
    text = (text or "").casefold().replace("licence", "license")
    return f" {_NON_WORD.sub(' ', text).strip()} "


@cache
def _table() -> tuple[dict[str, Licence], list[tuple[str, str]]]:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))["licences"]
    licences = {key: Licence(id=key, name=row["name"], url=row["url"]) for key, row in data.items()}
    aliases: dict[str, str] = {}
    for key, row in data.items():
        for alias in [key, row["name"], *row.get("aliases", [])]:
            aliases.setdefault(_fold(alias), key)
    # Longest first: "cc by sa 4 0" must win over "cc by 4 0"-like shorter names inside it.
    return licences, sorted(aliases.items(), key=lambda item: -len(item[0]))


def licence_normalise(text: str) -> str:
    """The licence id ``text`` names (e.g. "(metadata: DataFinder, Apache-2.0)" -> "Apache-2.0"), or ""."""
    folded = _fold(text)
    if not folded.strip():
        return ""
    for alias, key in _table()[1]:
        if alias in folded:
            return key
    return ""


def licence_get(licence_id: str) -> Licence | None:
    """The licence behind an id from ``licence_normalise`` (None for "" or an id no longer listed)."""
    return _table()[0].get(licence_id or "")
