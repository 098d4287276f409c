"""Checking a search request: the query, paging, sort and filter values (filters against the index)."""

from __future__ import annotations

import unicodedata

from django.conf import settings

from catalog.models import is_staff
from search.services.facets import UPDATED_CHOICES

MAX_QUERY_CHARS = 500
MAX_PAGE = 100
SORTS = ("relevance", "recent")
MULTI_FILTERS = ("source", "publisher", "format", "theme", "geography")
# ``exclude_<name>`` drops what ``<name>`` would keep; for formats, a dataset is dropped only when
# every format it offers is excluded ("no PDFs" keeps a dataset offered as PDF and CSV).
EXCLUDE_FILTERS = tuple(f"exclude_{name}" for name in MULTI_FILTERS)
# Multi-select facets of the search page with no exclude_ form (``search.services.facets``).
FACET_ONLY_FILTERS = ("licence", "task", "modality", "updated")
ID_FILTERS = ("ids", "exclude_ids")  # dataset ids (facets the index does not hold: frequency, licence, titles)
UNDATED_CHOICES = ("drop", "keep")
FILTER_NAMES = (
    "source",
    "publisher",
    "format",
    "theme",
    "year_from",
    "year_to",
    "geography",
    *FACET_ONLY_FILTERS,
    "status",
    "include_inactive",
    *EXCLUDE_FILTERS,
    *ID_FILTERS,
    "undated",
)
MAX_ID_FILTER = 10_000


class SearchValidationError(Exception):
    """Bad query or filters; ``errors`` maps field names to messages (rendered as a 400)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def normalise_query(query: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", query or "").split())


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    out = []
    for v in value:
        v = str(v).strip()
        if v and v not in out:
            out.append(v)
    return out


def _as_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def _as_int(value, name: str, errors: dict, *, low: int, high: int) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        errors.setdefault(name, []).append("Enter a whole number.")
        return None
    if not low <= number <= high:
        errors.setdefault(name, []).append(f"Must be between {low} and {high}.")
        return None
    return number


def filters_clean(filters: dict | None, *, index, user) -> dict:
    """Canonical filters (sorted, known values only), or SearchValidationError."""
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    filters = dict(filters or {})
    for name in filters:
        if name not in FILTER_NAMES:
            errors.setdefault(name, []).append("Unknown filter.")
    vocabularies = {
        "source": (index.source_by_slug, lambda v: v.lower(), lambda i: index.sources[i]["slug"]),
        "publisher": (
            index.publisher_lookup,
            lambda v: v if v in index.publisher_by_slug else v.lower(),
            lambda i: index.publishers[i]["slug"],
        ),
        "format": (index.format_by_name, lambda v: v.upper().lstrip("."), lambda i: index.formats_vocab[i]),
        "theme": (index.theme_by_name, lambda v: v.lower(), lambda i: index.themes_vocab[i]),
        "geography": (
            {**index.geo_by_name, "singapore": -2},
            lambda v: v.lower(),
            lambda i: "Singapore" if i == -2 else index.geographies[i],
        ),
    }
    vocabularies.update(
        licence=(index.licence_by_id, lambda v: v.lower(), lambda i: index.licences_vocab[i]),
        task=(index.task_by_name, lambda v: v.lower(), lambda i: index.tasks_vocab[i]),
        modality=(index.modality_by_name, lambda v: v.lower(), lambda i: index.modalities_vocab[i]),
        updated=({c: c for c in UPDATED_CHOICES}, lambda v: v.lower(), lambda c: c),
    )
    for name in (*MULTI_FILTERS, *FACET_ONLY_FILTERS, *EXCLUDE_FILTERS):
        values = _as_list(filters.get(name))
        if not values:
            continue
        facet = name.removeprefix("exclude_")
        table, norm, canon = vocabularies[facet]
        out = []
        for value in values:
            code = table.get(norm(value))
            if code is None:
                errors.setdefault(name, []).append(f"Unknown {facet} '{value[:100]}'.")
            else:
                out.append(canon(code))
        if out:
            clean[name] = sorted(set(out))
    for name in ID_FILTERS:
        if name in filters:
            ids = _as_ids(filters[name], name, errors)
            if ids is not None:
                clean[name] = ids
    undated = str(filters.get("undated") or "").strip().lower()
    if undated:
        if undated not in UNDATED_CHOICES:
            errors.setdefault("undated", []).append(f"Choose one of: {', '.join(UNDATED_CHOICES)}.")
        elif undated == "keep" and ("year_from" in filters or "year_to" in filters):
            clean["undated"] = "keep"
    year_from = _as_int(filters.get("year_from"), "year_from", errors, low=1000, high=2999)
    year_to = _as_int(filters.get("year_to"), "year_to", errors, low=1000, high=2999)
    if year_from is not None and year_to is not None and year_from > year_to:
        errors.setdefault("year_to", []).append("Must not be before year_from.")
    if year_from is not None:
        clean["year_from"] = year_from
    if year_to is not None:
        clean["year_to"] = year_to
    staff = is_staff(user)
    if "include_inactive" in filters and _as_bool(filters.get("include_inactive")):
        if not staff:
            errors.setdefault("include_inactive", []).append("Only staff can search inactive datasets.")
        else:
            clean["include_inactive"] = True
    status = str(filters.get("status") or "").strip().lower()
    if status:
        if status not in ("active", "inactive", "any"):
            errors.setdefault("status", []).append("Choose active, inactive or any.")
        elif status != "active" and not staff:
            errors.setdefault("status", []).append("Only staff can search inactive datasets.")
        elif status != "active":
            clean["status"] = status
    if errors:
        raise SearchValidationError(errors)
    return clean


def _as_ids(value, name: str, errors: dict) -> list[int] | None:
    items = value if isinstance(value, (list, tuple)) else str(value or "").split(",")
    ids = []
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        if not text.isdigit():
            errors.setdefault(name, []).append(f"Not a dataset id: '{text[:40]}'.")
            return None
        ids.append(int(text))
    if len(ids) > MAX_ID_FILTER:
        errors.setdefault(name, []).append(f"At most {MAX_ID_FILTER} ids.")
        return None
    return sorted(set(ids))


def validate_request(
    *, query, top_k, page, sort, similar_to, browse: bool = False
) -> tuple[str, int, int, str, int | None]:
    """Checked request values; an empty query is allowed when ``browse`` (filters were given)."""
    errors: dict[str, list[str]] = {}
    q = normalise_query(query if isinstance(query, str) else "" if query is None else str(query))
    if not q and similar_to is None and not browse:
        errors["q"] = ["Enter a search query, or choose a filter to browse."]
    elif len(q) > MAX_QUERY_CHARS:
        errors["q"] = [f"Ensure this query has at most {MAX_QUERY_CHARS} characters (it has {len(q)})."]
    top_k = _as_int(
        top_k if top_k is not None else settings.SEARCH_DEFAULT_TOP_K,
        "top_k",
        errors,
        low=1,
        high=settings.SEARCH_MAX_TOP_K,
    )
    page = _as_int(page if page is not None else 1, "page", errors, low=1, high=MAX_PAGE)
    if sort not in SORTS:
        errors["sort"] = [f"Choose one of: {', '.join(SORTS)}."]
    if similar_to is not None:
        similar_to = _as_int(similar_to, "similar_to", errors, low=1, high=2**62)
    if errors:
        raise SearchValidationError(errors)
    return q, top_k, page, sort, similar_to


def filters_given(filters: dict | None) -> bool:
    """Whether any filter has a value (browsing without a query needs one)."""
    return any(value not in (None, "", [], (), False) for value in (filters or {}).values())


def validate_filter_names(filters: dict) -> None:
    unknown = [name for name in filters if name not in FILTER_NAMES]
    if unknown:
        raise SearchValidationError({name: ["Unknown filter."] for name in unknown})
