"""A follow-up message merged into the previous search state, and the reply line describing it."""

from __future__ import annotations

from dataclasses import dataclass, field

from conversation.refine.parsed import SORT_RECENT, SORT_RELEVANCE, Parsed
from conversation.refine.parser import parse


@dataclass
class Refinement:
    query: str
    filters: dict
    page: int = 1
    sort: str = SORT_RELEVANCE
    similar_to_rank: int | None = None
    changes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "filters": dict(self.filters),
            "page": self.page,
            "sort": self.sort,
            "similar_to_rank": self.similar_to_rank,
            "changes": list(self.changes),
        }


def _years_phrase(year_from: int | None, year_to: int | None) -> str:
    if year_from is not None and year_to is not None:
        return f"covering {year_from}" if year_from == year_to else f"covering {year_from}\u2013{year_to}"
    if year_from is not None:
        return f"covering {year_from} onwards"
    return f"covering up to {year_to}"


def _filter_changes(p: Parsed, filters: dict) -> list[str]:
    """Apply ``p``'s filters to ``filters`` in place; return the change phrases."""
    changes: list[str] = []
    if p.formats:
        filters["format"] = p.formats[0]
        changes.append(f"Showing only {p.formats[0]} datasets")
    if p.publisher:
        filters["publisher"] = p.publisher
        changes.append(f"from {p.publisher}")
    if p.source:
        filters["source"] = p.source[0]
        changes.append(f"from {p.source[1]}")
    if p.year_from is not None or p.year_to is not None:
        filters.pop("year_from", None)
        filters.pop("year_to", None)
        if p.year_from is not None:
            filters["year_from"] = p.year_from
        if p.year_to is not None:
            filters["year_to"] = p.year_to
        changes.append(_years_phrase(p.year_from, p.year_to))
    if p.geography:
        filters["geography"] = p.geography
        changes.append("covering Singapore" if p.geography == "singapore" else "with global coverage")
    return changes


def apply_refinement(message: str, previous: dict, *, parsed: Parsed | None = None) -> Refinement:
    """Merge a follow-up message into the previous search state.

    ``previous`` is conversation.state: {"query", "filters", "page", "sort", "result_ids"}; ``parsed`` is
    the message as the router already parsed it (``IntentResult.parsed``), else it is parsed here.
    """
    previous = previous or {}
    p = parsed if parsed is not None else parse(message)
    query = (previous.get("query") or "").strip()
    filters = {k: v for k, v in (previous.get("filters") or {}).items() if v not in (None, "", [])}
    page = int(previous.get("page") or 1)
    sort = previous.get("sort") or SORT_RELEVANCE
    result_ids = list(previous.get("result_ids") or [])
    changes: list[str] = []
    reset_page = False

    if p.clear:
        if "*" in p.clear:
            if filters:
                changes.append("with all filters cleared")
            filters = {}
        for key in sorted(p.clear - {"*"}):
            keys = ("year_from", "year_to") if key == "years" else (key,)
            if any(k in filters for k in keys):
                for k in keys:
                    filters.pop(k, None)
                label = "year" if key == "years" else key
                changes.append(f"without the {label} filter")
        reset_page = True

    fchanges = _filter_changes(p, filters)
    if fchanges:
        changes.extend(fchanges)
        reset_page = True

    if p.followup_topic:
        query = p.followup_topic
        changes.append(f"about '{query}' instead")
        reset_page = True
    elif p.narrow_topic:
        query = f"{query} {p.narrow_topic}".strip()
        changes.append(f"narrowed to '{p.narrow_topic}'")
        reset_page = True

    if p.sort and p.sort != sort:
        sort = p.sort
        changes.append("sorted by most recent" if sort == SORT_RECENT else "sorted by relevance")
        reset_page = True
    elif p.sort:
        changes.append("sorted by most recent" if sort == SORT_RECENT else "sorted by relevance")

    similar_to_rank = None
    if p.similar_rank is not None:
        rank = len(result_ids) if p.similar_rank == -1 else p.similar_rank
        if rank >= 1 and (not result_ids or rank <= len(result_ids)):
            similar_to_rank = rank
            changes.append(f"similar to result {rank}")
            reset_page = True
        else:
            changes.append(f"There is no result {p.similar_rank} in the previous results to compare with.")

    if p.page is not None:
        page = max(1, p.page)
        changes.append(f"page {page}")
    elif p.page_delta:
        page = max(1, page + p.page_delta)
        changes.append(f"page {page}")
    elif reset_page:
        page = 1

    return Refinement(
        query=query, filters=filters, page=page, sort=sort, similar_to_rank=similar_to_rank, changes=changes
    )


def describe_refinement(refinement: Refinement) -> str:
    """One line for the reply: "Showing only CSV datasets from National Environment Agency for 'rainfall'"."""
    notes = [c for c in refinement.changes if c.startswith("There is no")]
    changes = [c for c in refinement.changes if c and c not in notes]
    line = _describe(refinement, changes)
    return " ".join([line + ("." if notes else ""), *notes]) if notes else line


def _describe(refinement: Refinement, changes: list[str]) -> str:
    if refinement.similar_to_rank is not None:
        rest = [c for c in changes if not c.startswith("similar to")]
        head = f"Showing datasets similar to result {refinement.similar_to_rank}"
        return " ".join([head, *rest]).strip()
    if not changes:
        return f"Showing results for '{refinement.query}'" if refinement.query else "Showing results"
    first = changes[0]
    parts = changes if first.startswith("Showing") else ["Showing results", *changes]
    topic_given = any(c.startswith("about '") or c.startswith("narrowed to") for c in changes)
    line = " ".join(parts)
    if refinement.query and not topic_given:
        line += f" for '{refinement.query}'"
    return line
