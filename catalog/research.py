"""Task and modality labels for research datasets, read from their name and description.

Papers with Code records carry neither as a field, so the labels come from the phrases in
``catalog/data/research_facets.json``. ``research_labels`` runs at import time for sources of kind
"research" and fills ``Dataset.tasks`` / ``Dataset.modalities`` (search facets).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "research_facets.json"
MAX_LABELS = 4  # a record that names everything is about none of it in particular
# Credit lines ("Image Source: [paper](link)", "Source: ...") name a figure or the paper, not the data.
_CREDIT_LINE = re.compile(r"^\s*(image\s+)?source:.*$", re.I | re.M)


@cache
def _patterns() -> dict[str, list[tuple[str, re.Pattern]]]:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    out: dict[str, list[tuple[str, re.Pattern]]] = {}
    for kind in ("tasks", "modalities"):
        out[kind] = []
        for label, phrases in data[kind].items():
            alternatives = "|".join(re.escape(p.casefold()) for p in sorted(phrases, key=len, reverse=True))
            out[kind].append((label, re.compile(rf"(?<!\w)(?:{alternatives})s?(?!\w)")))
    return out


def research_labels(*, title: str, description: str) -> tuple[list[str], list[str]]:
    """(tasks, modalities) a research record's text names, most mentioned first (at most MAX_LABELS each)."""
    text = (
        f"{title}\n{title}\n{_CREDIT_LINE.sub(' ', description or '')}".casefold()
    )  # the name counts twice: it is the dataset's own
    result = []
    for kind in ("tasks", "modalities"):
        scored = []
        for order, (label, pattern) in enumerate(_patterns()[kind]):
            hits = len(pattern.findall(text))
            if hits:
                scored.append((-hits, order, label))
        result.append([label for _, _, label in sorted(scored)[:MAX_LABELS]])
    return result[0], result[1]
