"""Saved searches: validated writes (create, update, delete, mark seen) and the owner's selectors.

Every function takes the owning user and only ever touches that user's rows: anyone else's saved
search is ``SavedSearch.DoesNotExist`` (a 404 for the views and the API).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet

from catalog.models import Dataset
from search.index.versions import current_index
from search.models import SavedSearch, SavedSearchMatch
from search.services.validation import (
    EXCLUDE_FILTERS,
    MAX_QUERY_CHARS,
    MULTI_FILTERS,
    UNDATED_CHOICES,
    SearchValidationError,
    filters_clean,
    normalise_query,
)

# Filters a saved search may keep: what the search page and /api/search offer everyone. Staff-only
# filters (inactive datasets) and id lists have no place in an alert about newly visible datasets.
SAVED_FILTER_NAMES = (*MULTI_FILTERS, *EXCLUDE_FILTERS, "year_from", "year_to", "undated")
MAX_NAME_CHARS = 200


class SavedSearchError(ValueError):
    """Bad input or a limit reached; ``errors`` maps field names to messages (a 400)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class CleanSearch:
    query: str
    filters: dict
    key: str


def _loose_filters(filters: dict) -> dict:
    """Canonical filters without an index to check values against (before the first build)."""
    clean: dict = {}
    for name, value in filters.items():
        if name in (*MULTI_FILTERS, *EXCLUDE_FILTERS):
            items = value if isinstance(value, list | tuple) else str(value or "").split(",")
            values = sorted({str(v).strip()[:200] for v in items if str(v).strip()})
            if values:
                clean[name] = values
        elif name in ("year_from", "year_to"):
            text = str(value).strip()
            if text:
                if not text.isdigit() or not 1000 <= int(text) <= 2999:
                    raise SavedSearchError({name: ["Must be a year between 1000 and 2999."]})
                clean[name] = int(text)
        elif name == "undated" and str(value).strip().lower() in UNDATED_CHOICES:
            clean[name] = str(value).strip().lower()
    return clean


def saved_search_clean(*, query, filters, user) -> CleanSearch:
    """Check a query and filters the way the search does; canonical filters and the dedup key."""
    q = normalise_query(query if isinstance(query, str) else "")
    if not q:
        raise SavedSearchError({"query": ["Enter a search query."]})
    if len(q) > MAX_QUERY_CHARS:
        raise SavedSearchError({"query": [f"Ensure this query has at most {MAX_QUERY_CHARS} characters."]})
    if filters is None:
        filters = {}
    if not isinstance(filters, dict):
        raise SavedSearchError({"filters": ["Must be an object of filter names to values."]})
    unknown = [name for name in filters if name not in SAVED_FILTER_NAMES]
    if unknown:
        raise SavedSearchError({str(name)[:50]: ["Not a filter a saved search can keep."] for name in unknown[:10]})
    filters = {name: value for name, value in filters.items() if value not in (None, "", [])}
    index = current_index()
    try:
        clean = filters_clean(filters, index=index, user=user) if index is not None else _loose_filters(filters)
    except SearchValidationError as exc:
        raise SavedSearchError(exc.errors) from exc
    key_source = json.dumps({"q": q.casefold(), "f": clean}, sort_keys=True, ensure_ascii=True)
    return CleanSearch(query=q, filters=clean, key=hashlib.sha256(key_source.encode()).hexdigest())


def _name(value, default: str) -> str:
    name = " ".join(str(value or "").split())
    if len(name) > MAX_NAME_CHARS:
        raise SavedSearchError({"name": [f"Ensure the name has at most {MAX_NAME_CHARS} characters."]})
    return name or default[:MAX_NAME_CHARS]


def saved_search_create(*, user, query, filters=None, name="", email_digest=False) -> tuple[SavedSearch, bool]:
    """Save a search for ``user``; returns (saved search, created). Saving the same search twice
    returns the first copy. Its first matching run (a baseline: nothing is news yet) happens in the
    next debounced run, off the request path."""
    clean = saved_search_clean(query=query, filters=filters, user=user)
    name = _name(name, clean.query)
    existing = SavedSearch.objects.filter(user=user, key=clean.key).first()
    if existing is not None:
        return existing, False
    with transaction.atomic():
        # Counted under a lock on the user's rows, so two requests at once cannot pass the limit.
        owned = SavedSearch.objects.select_for_update().filter(user=user).values_list("pk", flat=True)
        if len(list(owned)) >= settings.SAVED_SEARCH_MAX_PER_USER:
            raise SavedSearchError(
                {"non_field_errors": [f"You can keep at most {settings.SAVED_SEARCH_MAX_PER_USER} saved searches."]}
            )
        try:
            with transaction.atomic():
                saved = SavedSearch.objects.create(
                    user=user,
                    name=name,
                    query=clean.query,
                    filters=clean.filters,
                    key=clean.key,
                    email_digest=bool(email_digest),
                )
        except IntegrityError:  # the same search saved by a concurrent request
            return SavedSearch.objects.get(user=user, key=clean.key), False
    _baseline(saved)
    return saved, True


def _baseline(saved: SavedSearch) -> None:
    """Record what the search matches now as already seen, so only later arrivals are news. One search,
    as the search page runs it; without an index yet, the first matching run records the baseline."""
    from search.saved.matching import index_coverage, saved_search_match

    coverage = index_coverage()
    if coverage is not None:
        saved_search_match(saved=saved, coverage=coverage)


@transaction.atomic
def saved_search_update(*, saved: SavedSearch, user, **changes) -> SavedSearch:
    """Rename, switch the digest, or change the search itself (which starts its matches afresh)."""
    if "name" in changes:
        saved.name = _name(changes["name"], saved.query)
    if "email_digest" in changes:
        saved.email_digest = bool(changes["email_digest"])
    if "query" in changes or "filters" in changes:
        clean = saved_search_clean(
            query=changes.get("query", saved.query), filters=changes.get("filters", saved.filters), user=user
        )
        if clean.key != saved.key:
            if SavedSearch.objects.filter(user=user, key=clean.key).exclude(pk=saved.pk).exists():
                raise SavedSearchError({"query": ["You have already saved this search."]})
            if saved.name == saved.query:
                saved.name = clean.query[:MAX_NAME_CHARS]
            saved.query, saved.filters, saved.key = clean.query, clean.filters, clean.key
            saved.checked_at = None  # a different search: its next run is a new baseline
            saved.matches.all().delete()
    saved.save()
    if saved.checked_at is None:
        _baseline(saved)
    return saved


def max_per_user() -> int:
    return int(settings.SAVED_SEARCH_MAX_PER_USER)


def saved_search_delete(*, saved: SavedSearch) -> None:
    saved.delete()


def saved_search_get(*, user, pk) -> SavedSearch:
    """The user's saved search ``pk``; ``SavedSearch.DoesNotExist`` for anyone else's or a bad id."""
    if user is None or not user.is_authenticated or not str(pk).isdigit():
        raise SavedSearch.DoesNotExist
    return SavedSearch.objects.get(user=user, pk=int(pk))


def _new_q(prefix: str = "") -> Q:
    """New: not seen yet, of a dataset still active (a withdrawn or hidden one is not news)."""
    return Q(**{f"{prefix}seen": False, f"{prefix}dataset__status": Dataset.Status.ACTIVE})


def saved_search_list(*, user) -> QuerySet[SavedSearch]:
    """The user's saved searches, each annotated with ``new_count``."""
    if user is None or not user.is_authenticated:
        return SavedSearch.objects.none()
    return SavedSearch.objects.filter(user=user).annotate(new_count=Count("matches", filter=_new_q("matches__")))


def match_list(*, saved: SavedSearch, new_only: bool = True) -> QuerySet[SavedSearchMatch]:
    """Datasets the saved search matched (only new ones by default), with their dataset loaded."""
    matches = saved.matches.select_related("dataset__publisher", "dataset__source")
    if new_only:
        return matches.filter(_new_q())
    return matches.filter(dataset__status=Dataset.Status.ACTIVE)


def new_matches_for_user(*, user) -> dict[int, list[SavedSearchMatch]]:
    """{saved search id: its new matches}, for the "New for you" page."""
    out: dict[int, list[SavedSearchMatch]] = {}
    matches = (
        SavedSearchMatch.objects.filter(_new_q(), saved_search__user=user)
        .select_related("dataset__publisher", "dataset__source")
        .order_by("-first_seen", "-id")
    )
    for match in matches[: settings.SAVED_SEARCH_MAX_PER_USER * settings.SAVED_SEARCH_MATCH_DEPTH]:
        out.setdefault(match.saved_search_id, []).append(match)
    return out


def matches_mark_seen(*, saved: SavedSearch, dataset_ids: list[int] | None = None) -> int:
    """Mark the saved search's new matches (or only those of ``dataset_ids``) as seen; returns how many."""
    matches = saved.matches.filter(seen=False)
    if dataset_ids is not None:
        matches = matches.filter(dataset_id__in=dataset_ids)
    return matches.update(seen=True)


def matches_mark_all_seen(*, user) -> int:
    return SavedSearchMatch.objects.filter(saved_search__user=user, seen=False).update(seen=True)


def filters_text(filters: dict) -> str:
    """The filters as one line for people: "format: CSV, JSON; year_from: 2015"."""
    parts = []
    for name, value in sorted((filters or {}).items()):
        shown = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        parts.append(f"{name.replace('_', ' ')}: {shown}")
    return "; ".join(parts)


def saved_search_url(saved: SavedSearch) -> str:
    """The search page for this saved search (list filters comma-separated, as the page reads them)."""
    from urllib.parse import urlencode

    from django.urls import reverse

    params: dict[str, str] = {"q": saved.query}
    for name, value in (saved.filters or {}).items():
        params[name] = ",".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return f"{reverse('search')}?{urlencode(params)}"
