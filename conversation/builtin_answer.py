"""The built-in grounded answer: deterministic, template-based, no network.

It is the default when no LLM provider is configured and the last fallback of the provider chain,
so the user always gets an answer. Phrasings vary with a hash of the query (the same query always
reads the same). Every dataset it names comes from the search results it is given.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from urllib.parse import quote_plus

from django.conf import settings

from search.services import scores_are_weak

PICKS_MAX = 3

# Built-in "search elsewhere" portals: name and a search URL template ({query} is URL-encoded).
EXTERNAL_PORTALS = {
    "datagovsg": ("data.gov.sg", "https://data.gov.sg/datasets?query={query}"),
    "worldbank": ("World Bank Data Catalog", "https://datacatalog.worldbank.org/search?q={query}"),
    "kaggle": ("Kaggle", "https://www.kaggle.com/datasets?search={query}"),
    "huggingface": ("Hugging Face", "https://huggingface.co/datasets?search={query}"),
    "google": ("Google Dataset Search", "https://datasetsearch.research.google.com/search?query={query}"),
}


@dataclass
class Answer:
    """A grounded answer: a short summary, top picks (result ids only) and external search links."""

    summary: str
    picks: list[dict] = field(default_factory=list)  # {"id", "title", "url", "why"}
    search_elsewhere: list[dict] = field(default_factory=list)  # {"name", "label", "url", "external": True}
    provider: str = "builtin"
    nothing_good: bool = False

    def to_dict(self) -> dict:
        return {
            "summary": self.summary,
            "picks": self.picks,
            "search_elsewhere": self.search_elsewhere,
            "provider": self.provider,
            "nothing_good": self.nothing_good,
        }

    def to_text(self) -> str:
        parts = [self.summary]
        if self.picks:
            lines = [f"{i}. {p['title']} — {p['why']}" for i, p in enumerate(self.picks, 1)]
            parts.append("Top picks:\n" + "\n".join(lines))
        if self.search_elsewhere:
            lines = [f"- {link['label']}: {link['url']}" for link in self.search_elsewhere]
            parts.append("Search elsewhere (external searches, not results from our catalog):\n" + "\n".join(lines))
        return "\n\n".join(parts)


def _choose(options: list[str] | tuple[str, ...], key: str, salt: str) -> str:
    """Pick a phrasing by a stable hash of the query, so answers vary but are reproducible."""
    digest = hashlib.sha256(f"{salt}\x00{key.strip().lower()}".encode()).digest()
    return options[int.from_bytes(digest[:4], "big") % len(options)]


def _quote(text: str, limit: int = 80) -> str:
    text = " ".join((text or "").split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return f"“{text}”"


def _join(items: list[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _year(value) -> int | None:
    if not value:
        return None
    try:
        return int(str(value)[:4])
    except ValueError:
        return None


def _coverage(hit: dict) -> str:
    start, end = _year(hit.get("temporal_start")), _year(hit.get("temporal_end"))
    if start and end:
        return f"{start}" if start == end else f"{start}–{end}"
    if start:
        return f"from {start}"
    if end:
        return f"up to {end}"
    return ""


def _formats(hit: dict) -> str:
    formats = [f for f in (hit.get("formats") or []) if f][:3]
    return "/".join(formats)


def search_elsewhere_links(query: str) -> list[dict]:
    """The same query on the configured external portals, labelled as external searches."""
    links = []
    encoded = quote_plus(query.strip())
    for entry in settings.SEARCH_ELSEWHERE:
        entry = entry.strip()
        if "|" in entry:
            name, template = (part.strip() for part in entry.split("|", 1))
        elif entry in EXTERNAL_PORTALS:
            name, template = EXTERNAL_PORTALS[entry]
        else:
            continue
        if not template.startswith(("https://", "http://")):
            continue
        links.append(
            {
                "name": name,
                "label": f"Search {name} for {_quote(query, 60)}",
                "url": template.replace("{query}", encoded),
                "external": True,
            }
        )
    return links


def results_are_weak(results: list[dict]) -> bool:
    """Nothing good: no results, or even the best one scores below ASSISTANT_WEAK_SCORE (as the search page)."""
    return scores_are_weak(r.get("score") for r in results)


def pick_why(hit: dict) -> str:
    """One line on why a result is worth a look, from its metadata and the ranker's reasons."""
    facts = []
    if hit.get("publisher"):
        facts.append(f"published by {hit['publisher']}")
    coverage = _coverage(hit)
    if coverage:
        facts.append(f"covers {coverage}")
    formats = _formats(hit)
    if formats:
        facts.append(f"available as {formats}")
    line = _join(facts)
    reasons = [str(w).strip().rstrip(".") for w in (hit.get("why") or []) if str(w).strip()]
    if reasons:
        reason = reasons[0]
        line = f"{reason[0].upper()}{reason[1:]}" + (f"; {line}" if line else "")
    elif line:
        line = line[0].upper() + line[1:]
    else:
        line = "A close match for your search terms"
    if hit.get("link_status") in ("broken", "error"):
        line += " (its link did not respond when last checked)"
    return line + "."


def picks_from_results(results: list[dict], limit: int = PICKS_MAX) -> list[dict]:
    return [
        {"id": hit.get("id"), "title": hit.get("title", ""), "url": hit.get("url", ""), "why": pick_why(hit)}
        for hit in results[:limit]
    ]


def _nothing_good_summary(query: str, results: list[dict]) -> str:
    q = _quote(query)
    opening = _choose(
        [
            f"I couldn't find a dataset in our catalog that really fits {q}.",
            f"Honestly, our catalog has nothing that is a good match for {q}.",
            f"I searched the catalog for {q} but found no convincing match.",
        ],
        query,
        "nothing-open",
    )
    sentences = [opening]
    if results:
        sentences.append(
            _choose(
                [
                    "The closest results below are only loosely related, so check them carefully before relying on them.",
                    "What I did find is only loosely related, so treat the results below with caution.",
                ],
                query,
                "nothing-weak",
            )
        )
    sentences.append(
        _choose(
            [
                "Try broader or different words, or run the same search on the portals linked below.",
                "You could rephrase the request, or try the external searches linked below.",
                "Rewording may help; otherwise the external portals below are worth a search.",
            ],
            query,
            "nothing-next",
        )
    )
    return " ".join(sentences)


def _summary(query: str, results: list[dict], total: int | None) -> str:
    q = _quote(query)
    n = len(results)
    total = max(total or n, n)
    count = f"{n} datasets" if n > 1 else "one dataset"
    more = f" (of {total} matches)" if total > n else ""
    sentences = [
        _choose(
            [
                f"I found {count}{more} for {q}.",
                f"Here are {count}{more} that match {q}.",
                f"Your search for {q} turned up {count}{more}.",
                f"There are {count}{more} in the catalog for {q}.",
            ],
            query,
            "open",
        )
    ]
    top = results[0]
    detail = []
    if top.get("publisher"):
        detail.append(f"from {top['publisher']}")
    coverage = _coverage(top)
    if coverage:
        detail.append(f"covering {coverage}")
    detail_text = (" " + ", ".join(detail)) if detail else ""
    sentences.append(
        _choose(
            [
                f"The strongest match is {_quote(top.get('title', ''))}{detail_text}.",
                f"{_quote(top.get('title', ''))}{detail_text} fits best.",
                f"Start with {_quote(top.get('title', ''))}{detail_text}.",
            ],
            query,
            "top",
        )
    )
    publishers = []
    for hit in results:
        name = hit.get("publisher") or hit.get("source_name")
        if name and name not in publishers:
            publishers.append(name)
    if len(publishers) > 1:
        shown = publishers[:3]
        rest = len(publishers) - len(shown)
        names = _join(shown) + (f" and {rest} other publisher{'s' if rest > 1 else ''}" if rest else "")
        sentences.append(
            _choose(
                [f"The results come from {names}.", f"They are published by {names}."],
                query,
                "publishers",
            )
        )
    formats: dict[str, int] = {}
    for hit in results:
        for f in set(hit.get("formats") or []):
            formats[f] = formats.get(f, 0) + 1
    if formats:
        common, count_common = max(formats.items(), key=lambda kv: (kv[1], kv[0]))
        if count_common == n and n > 1:
            sentences.append(f"All of them are available as {common}.")
        elif count_common > 1:
            sentences.append(f"{count_common} of them are available as {common}.")
    broken = sum(1 for hit in results if hit.get("link_status") in ("broken", "error"))
    if broken:
        sentences.append(
            f"{broken} of the links did not respond when last checked."
            if broken > 1
            else "One of the links did not respond when last checked."
        )
    return " ".join(sentences[:5])


def builtin_answer(*, query: str, results: list[dict], total: int | None = None) -> Answer:
    """A 2–5 sentence grounded answer plus top picks, or an honest "nothing good" with external links."""
    if results_are_weak(results):
        return Answer(
            summary=_nothing_good_summary(query, results),
            picks=picks_from_results(results) if results else [],
            search_elsewhere=search_elsewhere_links(query),
            nothing_good=True,
        )
    return Answer(summary=_summary(query, results, total), picks=picks_from_results(results))
