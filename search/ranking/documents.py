"""A dataset's searchable fields and the text the embedder reads for it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from search.text import normalize


@dataclass
class DocFields:
    """The searchable fields of one dataset, as the lexical index and the embedder see them."""

    title: str
    description: str = ""
    tags: list[str] = field(default_factory=list)
    publisher: str = ""
    formats: list[str] = field(default_factory=list)
    extra_names: list[str] = field(default_factory=list)
    # Titles of the publications a dataset comes from (e.g. the paper that introduced a Papers with
    # Code dataset: its "Source: [...]" line). Worth +0.06 NDCG@10 on DataFinder for the embedding.
    source_titles: list[str] = field(default_factory=list)
    # Column names from data previews and portal metadata: as the dataset spells them, and as
    # ``catalog.columns.column_key`` words (what the lexical index reads). Not embedded.
    column_names: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)


_MD_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
# A credit ("Source: [paper](link)", "Source: https://...", a line "Source: SINGAPORE DEPARTMENT OF STATISTICS")
# names the paper or the agency, not the data. A linked credit goes by itself (text after it on the same line,
# such as a curator's note appended to a research record's description, stays); a plain one, with its line up to
# its first full stop ("Source: National Sports Participation Survey (NSPS). NSPS is a ..." keeps the prose).
_SOURCE_LINE_RE = re.compile(
    r"(?im)^\s*(?:image\s+)?sources?\s*:\s*(?:\[[^\]\n]*\]\([^)\n]*\)|https?://\S+|[^\n]*?(?:[.!?](?=\s)|$))"
)
_URL_RE = re.compile(r"https?://\S+")
_MD_MARK_RE = re.compile(r"(\*\*|__|`+|^#+\s*|^\s*[-*+]\s+|^\s*>\s*)", re.M)
_WS_RE = re.compile(r"\s+")

DESCRIPTION_WORDS = 120


def clean_description(text: str) -> str:
    """Description as plain prose: no markdown, links reduced to their text, no "Source: [...]" line."""
    if not text:
        return ""
    text = _SOURCE_LINE_RE.sub(" ", text)
    text = _MD_LINK_RE.sub(r"\1", text)
    text = _URL_RE.sub(" ", text)
    text = _MD_MARK_RE.sub(" ", text)
    text = text.replace("*", " ").replace("_", " ") if "**" in text else text
    return _WS_RE.sub(" ", text).strip()


def _first_words(text: str, n: int) -> str:
    words = text.split()
    return " ".join(words[:n])


def doc_names(doc: DocFields) -> list[str]:
    """The title and the other names of a document, without repeats (compared normalised)."""
    seen: dict[str, str] = {}
    for name in [doc.title, *doc.extra_names]:
        name = (name or "").strip()
        if name and normalize(name) not in seen:
            seen[normalize(name)] = name
    return list(seen.values())


def document_text(doc: DocFields, *, description_words: int = DESCRIPTION_WORDS) -> str:
    """The text embedded for a dataset.

    ``"<title>: <first words of the cleaned description> Source: <source titles>. Also: <other names>.
    Topics: <tags>. Published by <publisher>"``. The description is cut so the source title survives
    the model's 256-token window.
    """
    names = doc_names(doc)
    head = names[0] if names else ""
    desc = _first_words(clean_description(doc.description), description_words)
    sources = "; ".join(t.strip() for t in doc.source_titles[:3] if t and t.strip())
    parts = [f"{head}: {desc}" if desc and head else (head or desc)]
    if sources:
        parts.append("Source: " + sources)
    if len(names) > 1:
        parts.append("Also: " + ", ".join(names[1:6]))
    if doc.tags:
        parts.append("Topics: " + ", ".join(doc.tags[:12]))
    if doc.publisher:
        parts.append("Published by " + doc.publisher)
    return ". ".join(p.strip().rstrip(".") for p in parts if p and p.strip())
