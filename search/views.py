"""The search page: a plain GET form and links that HTMX upgrades to partial swaps."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import Http404, HttpRequest, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from activity.services import Owner, feedback_votes, search_history_record
from catalog import selectors as catalog_selectors
from catalog.export.service import dataset_page_exports
from catalog.models import Dataset
from catalog.presentation import LINK_LABELS, hit_card, safe_url
from catalog.previews import (
    dataset_previews,
    is_datagovsg_api,
    preview_display,
    preview_is_current,
    previews_queue,
)

from . import services as search_services
from .services.results import family_members_for

logger = logging.getLogger(__name__)


class HtmxHttpRequest(HttpRequest):
    """What HtmxMiddleware adds to every request (for type checkers)."""

    htmx: HtmxDetails


PAGE_SIZE = 10
MAX_PAGE = 50
FILTER_FIELDS = ("source", "publisher", "format", "theme", "year_from", "year_to")
FACETS = (("source", "Source"), ("publisher", "Publisher"), ("format", "Format"), ("theme", "Theme"), ("year", "Years"))
FACET_LIMIT = 12


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
                    # Say so when nothing matches well, as the chat does ("qwertyuiop" gets no confident list).
                    weak=bool(query) and page == 1 and response.weak,
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


def _scalar_extra(extra: dict) -> list[tuple[str, str]]:
    """Source-specific metadata worth showing: short scalar values only (escaped by the template)."""
    rows = []
    for key, value in sorted((extra or {}).items()):
        if isinstance(value, (str, int, float, bool)) and str(value).strip() and len(str(value)) <= 300:
            rows.append((str(key).replace("_", " "), str(value)))
    return rows[:20]


@require_GET
def dataset_detail(request, pk: int):
    try:
        dataset = catalog_selectors.dataset_get_visible(pk=pk, user=request.user)
    except Dataset.DoesNotExist:
        raise Http404("No such dataset") from None
    try:
        similar = [
            hit_card(hit) for hit in search_services.similar_datasets(dataset_id=dataset.pk, top_k=5, user=request.user)
        ]
    except Exception:  # the neighbours panel is optional: the page still works while the index is rebuilt
        logger.warning("similar datasets unavailable for dataset %s", dataset.pk, exc_info=True)
        similar = None
    family = None
    if dataset.family_id:
        fam, members = family_members_for([dataset], user=request.user).get(dataset.family_id, (None, []))
        if fam is not None and len(members) > 1:
            family = {
                "kind": fam.kind,
                "title": fam.title,
                "members": [
                    {"id": m.pk, "title": m.title, "formats": m.formats or [], "current": m.pk == dataset.pk}
                    for m in members
                ],
            }
    previews = dataset_previews(dataset)
    if settings.PREVIEW_ON_VIEW and any(p is None or not preview_is_current(p, d) for d, p in previews):
        previews_queue(dataset_ids=[dataset.pk])  # queues only what is missing or stale, once
        previews = dataset_previews(dataset)
    sizes = {d.pk: p.file_size for d, p in previews if p is not None and p.file_size}
    distributions = [
        {
            "title": d.title,
            "size": sizes.get(d.pk),
            "format": d.format,
            # data.gov.sg lists its download API, not a file: our redirect asks it for the file.
            "url": reverse("distribution-download", args=[dataset.pk, d.pk])
            if is_datagovsg_api(d.url)
            else safe_url(d.url),
            "raw_url": d.url,
            "media_type": d.media_type,
            "link_status": d.link_status,
            "link_label": LINK_LABELS.get(d.link_status, ""),
            "checked": d.link_checked_at,
            "http_code": d.link_http_code,
        }
        for d in dataset.distributions.all()
    ]
    return render(
        request,
        "catalog/dataset_detail.html",
        {
            "dataset": dataset,
            "landing_url": safe_url(dataset.landing_url),
            "source_homepage": safe_url(dataset.source.homepage),
            "distributions": distributions,
            "tags": [t.name for t in dataset.tags.all()],
            "quality_percent": round(dataset.quality_score * 100),
            "link_label": LINK_LABELS.get(dataset.link_status, ""),
            "similar": similar,
            "family": family,
            "extra_rows": _scalar_extra(dataset.extra),
            # Snippets, citation, JSON-LD and Data Package links (templates/catalog/_dataset_*.html).
            "exports": dataset_page_exports(dataset, base_url=request.build_absolute_uri("/").rstrip("/")),
            "previews": [preview_display(d, p) for d, p in previews],
        },
    )
