"""A researcher's description of an idea: is the query one, and which task and modality labels it names.

"We propose a convolutional network for segmenting street scenes" asks for the datasets such work is
evaluated on. ``research_query`` says so when the query uses research-method words
(``search/data/research_words.txt``: "propose", "neural", "train", "benchmark", ...) or names a research
task; the labels come from the same phrase table the catalog labels research records with
(``catalog/data/research_facets.json``, ``catalog.research.research_labels``), so a query's labels and a
record's ``Dataset.tasks`` / ``Dataset.modalities`` are comparable. A modality alone ("photos") does not
make a query a research one: everyday queries name data types too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from catalog.research import research_labels
from search.text import normalize, word_list

RESEARCH_WORDS = word_list("research_words")
_WORD_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class ResearchQuery:
    research: bool = False  # the query describes research (method words or a research task)
    tasks: tuple[str, ...] = ()  # task labels it names (catalog/data/research_facets.json)
    modalities: tuple[str, ...] = ()  # modality labels it names


def research_query(query: str) -> ResearchQuery:
    """Whether ``query`` describes research, and the task and modality labels it names."""
    text = normalize(query or "")
    if not text.strip():
        return ResearchQuery()
    tasks, modalities = research_labels(title="", description=text)
    research = bool(tasks) or not RESEARCH_WORDS.isdisjoint(_WORD_RE.findall(text))
    return ResearchQuery(research=research, tasks=tuple(tasks), modalities=tuple(modalities))


def labels_match(
    tasks: tuple[str, ...], modalities: tuple[str, ...], doc_tasks: Iterable[str], doc_modalities: Iterable[str]
) -> bool:
    """Whether a record carries a task label the query names; when the query names no task, a modality."""
    if tasks:
        return not set(tasks).isdisjoint(doc_tasks)
    if modalities:
        return not set(modalities).isdisjoint(doc_modalities)
    return False
