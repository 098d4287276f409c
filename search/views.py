"""The search page: a plain GET form and links that HTMX upgrades to partial swaps."""

from __future__ import annotations

import logging

from django.http import HttpRequest, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from conversation.feedback import Owner, feedback_votes, search_history_record
from search import services as search_services

logger = logging.getLogger(__name__)


class HtmxHttpRequest(HttpRequest):
    """What HtmxMiddleware adds to every request (for type checkers)."""

    htmx: HtmxDetails


PAGE_SIZE = 10
MAX_PAGE = 50
FILTER_FIELDS = ("source", "publisher", "format", "theme", "year_from", "year_to")
FACETS = (("source", "Source"), ("publisher", "Publisher"), ("format", "Format"), ("theme", "Theme"), ("year", "Years"))
FACET_LIMIT = 12
LINK_LABELS = {
    "ok": "Link working",
    "redirect": "Link redirects",
    "broken": "Link broken",
    "error": "Link unreachable",
    "unknown": "Link not checked",
}


def _value(hit, name, default=None):
    if isinstance(hit, dict):
        return hit.get(name, default)
    return getattr(hit, name, default)


def _year(value) -> str:
    if not value:
        return ""
    return str(value)[:4]


def safe_url(url) -> str:
    """Only http(s) links from catalog data are ever rendered as links (no javascript: or data: URLs)."""
    url = (url or "").strip()
    return url if url.lower().startswith(("https://", "http://")) else ""


def hit_card(hit) -> dict:
    """A search hit (SearchHit or its dict) as the plain dict the result card template reads."""
    card = hit.to_dict() if hasattr(hit, "to_dict") else dict(hit)
    start, end = _year(_value(hit, "temporal_start")), _year(_value(hit, "temporal_end"))
    if start and end:
        coverage = start if start == end else f"{start}–{end}"
    else:
        coverage = f"from {start}" if start else (f"until {end}" if end else "")
    link_status = card.get("link_status") or "unknown"
    card.update(
        coverage=coverage,
        url=safe_url(card.get("url")),
        link_status=link_status,
        link_label=LINK_LABELS.get(link_status, "Link not checked"),
        formats=list(card.get("formats") or []),
        why=list(card.get("why") or []),
    )
    return card


def parse_search_params(params: QueryDict) -> tuple[str, dict, int]:
    query = params.get("q", "").strip()
    filters = {name: params.get(name, "").strip() for name in FILTER_FIELDS}
    filters = {name: value for name, value in filters.items() if value}
    try:
        page = min(max(int(params.get("page", "1")), 1), MAX_PAGE)
    except ValueError:
        page = 1
    return query, filters, page


def _url(params: QueryDict, **changes) -> str:
    """The search URL for these parameters with ``changes`` applied (None removes one); page resets."""
    updated = params.copy()
    updated.pop("page", None)
    for name, value in changes.items():
        if value is None or value == "":
            updated.pop(name, None)
        else:
            updated[name] = str(value)
    encoded = updated.urlencode()
    return f"?{encoded}" if encoded else "?"


def _values(filters: dict, name: str) -> list[str]:
    return [v.strip() for v in filters.get(name, "").split(",") if v.strip()]


def _facet_groups(response, params: QueryDict, filters: dict) -> list[dict]:
    """Facet values as links that toggle the value in the URL (multi-select within a facet, AND across)."""
    groups = []
    for name, label in FACETS:
        current = _values(filters, name)
        buckets = []
        for bucket in (response.facets or {}).get(name, [])[:FACET_LIMIT]:
            value = str(bucket["value"])
            if name == "year":
                active = filters.get("year_from") == value and filters.get("year_to") == value
                href = (
                    _url(params, year_from=None, year_to=None)
                    if active
                    else _url(params, year_from=value, year_to=value)
                )
            else:
                active = value in current
                toggled = [v for v in current if v != value] if active else [*current, value]
                href = _url(params, **{name: ",".join(toggled) or None})
            buckets.append(
                {"label": bucket.get("label") or value, "count": bucket["count"], "href": href, "active": active}
            )
        if buckets:
            groups.append({"name": name, "label": label, "buckets": buckets})
    return groups


def _active_filters(params: QueryDict, filters: dict, response) -> list[dict]:
    labels = {}
    for name, _label in FACETS:
        for bucket in (response.facets or {}).get(name, []) if response else []:
            labels[(name, str(bucket["value"]))] = bucket.get("label") or str(bucket["value"])
    chips = []
    for name in FILTER_FIELDS:
        if name in ("year_from", "year_to"):
            if filters.get(name):
                shown = f"{'from' if name == 'year_from' else 'until'} {filters[name]}"
                chips.append({"name": name, "label": shown, "href": _url(params, **{name: None})})
            continue
        current = _values(filters, name)
        for value in current:
            rest = ",".join(v for v in current if v != value)
            chips.append(
                {"name": name, "label": labels.get((name, value), value), "href": _url(params, **{name: rest or None})}
            )
    return chips


def _pagination(params: QueryDict, total: int, page: int) -> dict | None:
    pages = min((total + PAGE_SIZE - 1) // PAGE_SIZE, MAX_PAGE)
    if pages <= 1:
        return None

    def link(number):
        updated = params.copy()
        updated["page"] = str(number)
        return f"?{updated.urlencode()}"

    window = range(max(1, page - 2), min(pages, page + 2) + 1)
    return {
        "page": page,
        "pages": pages,
        "previous": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if page < pages else None,
        "numbers": [{"number": n, "href": link(n), "current": n == page} for n in window],
    }


@require_GET
@vary_on_headers("HX-Request")
def search_page(request: HtmxHttpRequest):
    query, filters, page = parse_search_params(request.GET)
    sort = "recent" if request.GET.get("sort") == "recent" else "relevance"
    context = {"query": query, "filters": filters, "errors": {}, "response": None, "page_size": PAGE_SIZE}
    status = 200
    if query or filters:
        if not query:
            context["errors"] = {"q": ["Type what you are looking for."]}
            status = 400
        else:
            try:
                response = search_services.search(
                    query=query, filters=filters or None, top_k=PAGE_SIZE, page=page, user=request.user, sort=sort
                )
            except search_services.SearchValidationError as exc:
                context["errors"] = exc.errors
                status = 400
            else:
                owner = Owner.from_request(request)
                if page == 1:
                    search_history_record(owner=owner, query=query, filters=filters, result_count=response.total)
                results = [hit_card(hit) for hit in response.results]
                votes = feedback_votes(owner=owner, query=query, dataset_ids=[r["id"] for r in results])
                for result in results:
                    result["vote"] = votes.get(result["id"])
                context.update(
                    response=response,
                    results=results,
                    facet_groups=_facet_groups(response, request.GET, filters),
                    pagination=_pagination(request.GET, response.total, page),
                    first_rank=(page - 1) * PAGE_SIZE + 1,
                    sort=sort,
                    sort_links=[
                        {"label": "Best match", "href": _url(request.GET, sort=None), "current": sort == "relevance"},
                        {"label": "Most recent", "href": _url(request.GET, sort="recent"), "current": sort == "recent"},
                    ],
                )
        context["active_filters"] = _active_filters(request.GET, filters, context["response"])
        context["clear_url"] = _clear_url(query)
    if request.htmx and not request.htmx.history_restore_request:
        # htmx swaps only 2xx responses: the fragment carries the error message itself.
        page_response = render(request, "search/_results.html", context)
    else:
        page_response = render(request, "search/search.html", context, status=status)
    if context["response"] is not None:
        # Lets the browser's dev tools (and bench/pages.py) split page time from search time.
        page_response["Server-Timing"] = f"search;dur={context['response'].took_ms:.1f}"
    return page_response


def _clear_url(query: str) -> str:
    params = QueryDict(mutable=True)
    if query:
        params["q"] = query
    return f"?{params.urlencode()}"
