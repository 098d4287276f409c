"""The search page: a plain GET form and links that HTMX upgrades to partial swaps."""

from __future__ import annotations

import logging
import zlib

from django.conf import settings
from django.http import Http404, HttpRequest, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from activity.services import Owner, feedback_votes, search_history_record
from catalog import selectors as catalog_selectors
from catalog.export.service import dataset_page_exports
from catalog.licences import licence_get
from catalog.markup import markdown_html
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
# Multi-select facets: the parameter repeats (?format=CSV&format=JSON); a comma list is read too.
MULTI_FIELDS = ("source", "publisher", "format", "theme", "licence", "task", "modality", "updated")
FILTER_FIELDS = (*MULTI_FIELDS, "year_from", "year_to")
FACETS = (
    ("source", "Source"),
    ("publisher", "Publisher"),
    ("format", "Format"),
    ("theme", "Theme"),
    ("licence", "Licence"),
    ("task", "Research task"),
    ("modality", "Data type"),
    ("updated", "Last updated"),
    ("year", "Years covered"),
)
FACET_LIMIT = 12
SORT_LABELS = {"relevance": "Best match", "recent": "Most recently updated"}


def parse_search_params(params: QueryDict) -> tuple[str, dict, int]:
    query = params.get("q", "").strip()
    filters: dict = {}
    for name in MULTI_FIELDS:
        values = list(dict.fromkeys(v.strip() for raw in params.getlist(name) for v in raw.split(",") if v.strip()))
        if values:
            filters[name] = values
    for name in ("year_from", "year_to"):
        value = params.get(name, "").strip()
        if value:
            filters[name] = value
    try:
        page = min(max(int(params.get("page", "1")), 1), MAX_PAGE)
    except ValueError:
        page = 1
    return query, filters, page


def _url(params: QueryDict, **changes) -> str:
    """The search URL for these parameters with ``changes`` applied (None or [] removes one); page resets."""
    updated = params.copy()
    updated.pop("page", None)
    for name, value in changes.items():
        if value is None or value == "" or value == []:
            updated.pop(name, None)
        elif isinstance(value, list):
            updated.setlist(name, [str(v) for v in value])
        else:
            updated[name] = str(value)
    encoded = updated.urlencode()
    return f"?{encoded}" if encoded else "?"


def _values(filters: dict, name: str) -> list[str]:
    value = filters.get(name) or []
    return list(value) if isinstance(value, list) else [v.strip() for v in str(value).split(",") if v.strip()]


def _control_id(name: str, value: str) -> str:
    """A stable element id for a facet value, so focus can return to it after an HTMX swap."""
    return f"facet-{name}-{slugify(value) or 'x'}-{zlib.crc32(value.encode()) & 0xFFFF:x}"


def _facet_groups(response, params: QueryDict, filters: dict) -> list[dict]:
    """Facet values as links that toggle the value in the URL (multi-select within a facet, AND across)."""
    # Parameters as the search read them (comma lists split), so toggling rewrites them one per value.
    params = params.copy()
    for name in MULTI_FIELDS:
        params.setlist(name, _values(filters, name))
    groups = []
    for name, label in FACETS:
        current = _values(filters, name)
        buckets = []
        for n, bucket in enumerate((response.facets or {}).get(name, [])):
            value = str(bucket["value"])
            chosen = value in current or (
                name == "year" and filters.get("year_from") == filters.get("year_to") == value
            )
            if n >= FACET_LIMIT and not chosen:  # past the shown few: only chosen values, to unchoose
                continue
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
                href = _url(params, **{name: toggled})
            buckets.append(
                {
                    "label": bucket.get("label") or value,
                    "count": bucket["count"],
                    "href": href,
                    "active": active,
                    "id": _control_id(name, value),
                }
            )
        if buckets:
            groups.append(
                {"name": name, "label": label, "buckets": buckets, "multi": name != "year", "active": bool(current)}
            )
    return groups


def _active_filters(params: QueryDict, filters: dict, response) -> list[dict]:
    labels = {}
    for name, _label in FACETS:
        for bucket in (response.facets or {}).get(name, []) if response else []:
            labels[(name, str(bucket["value"]))] = bucket.get("label") or str(bucket["value"])
    params = params.copy()
    for name in MULTI_FIELDS:
        params.setlist(name, _values(filters, name))
    chips = []
    for name in FILTER_FIELDS:
        if name in ("year_from", "year_to"):
            if filters.get(name):
                shown = f"{'from' if name == 'year_from' else 'until'} {filters[name]}"
                chips.append({"name": name, "label": shown, "href": _url(params, **{name: None})})
            continue
        current = _values(filters, name)
        for value in current:
            rest = [v for v in current if v != value]
            chips.append(
                {"name": name, "label": labels.get((name, value), value), "href": _url(params, **{name: rest})}
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
    # Browsing (filters, no query) has no relevance to sort by: newest first, and the page says so.
    sort = "recent" if request.GET.get("sort") == "recent" or not query else "relevance"
    context = {
        "query": query,
        "filters": filters,
        "errors": {},
        "response": None,
        "page_size": PAGE_SIZE,
        "hidden_filters": [(name, v) for name in MULTI_FIELDS for v in _values(filters, name)],
    }
    status = 200
    if query or filters:
        try:
            response = search_services.search(
                query=query, filters=filters or None, top_k=PAGE_SIZE, page=page, user=request.user, sort=sort
            )
        except search_services.SearchValidationError as exc:
            context["errors"] = exc.errors
            status = 400
        else:
            context.update(_results_context(request, response, query=query, filters=filters, page=page, sort=sort))
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


def _results_context(request, response, *, query: str, filters: dict, page: int, sort: str) -> dict:
    owner = Owner.from_request(request)
    if page == 1 and query:
        search_history_record(owner=owner, query=query, filters=filters, result_count=response.total)
    results = [hit_card(hit) for hit in response.results]
    votes = feedback_votes(owner=owner, query=query, dataset_ids=[r["id"] for r in results])
    for result in results:
        result["vote"] = votes.get(result["id"])
    params = request.GET
    return {
        "response": response,
        "results": results,
        # Say so when nothing matches well, as the chat does ("qwertyuiop" gets no confident list).
        "weak": bool(query) and page == 1 and response.weak,
        "facet_groups": _facet_groups(response, params, filters),
        "pagination": _pagination(params, response.total, page),
        "first_rank": (page - 1) * PAGE_SIZE + 1,
        "sort": sort,
        "sort_label": SORT_LABELS[sort],
        "sort_links": [
            {"label": SORT_LABELS["relevance"], "href": _url(params, sort=None), "current": sort == "relevance"},
            {"label": SORT_LABELS["recent"], "href": _url(params, sort="recent"), "current": sort == "recent"},
        ]
        if query
        else [],
        "active_count": sum(len(_values(filters, n)) for n in MULTI_FIELDS)
        + bool(filters.get("year_from") or filters.get("year_to")),
    }


def _clear_url(query: str) -> str:
    params = QueryDict(mutable=True)
    if query:
        params["q"] = query
    return f"?{params.urlencode()}"


# Source metadata the page shows elsewhere or that means nothing to a reader.
HIDDEN_EXTRA = {"description_source", "source_paper_title", "import", "portal_status", "original_quality_score"}


def _scalar_extra(extra: dict) -> list[dict]:
    """Source-specific metadata worth showing: short scalar values only (escaped by the template);
    http(s) URLs become links ("paper_url" reads "Paper", its text the paper's title)."""
    rows = []
    extra = extra or {}
    for key, value in sorted(extra.items()):
        if key in HIDDEN_EXTRA or not isinstance(value, (str, int, float, bool)):
            continue
        text = str(value).strip()
        if not text or len(text) > 300:
            continue
        url = safe_url(text) if isinstance(value, str) else ""
        label = str(key).removesuffix("_url").replace("_", " ") if url else str(key).replace("_", " ")
        shown = str(extra.get("source_paper_title") or text) if key == "paper_url" else text
        rows.append({"label": label, "value": shown, "url": url})
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
            "source_page_url": safe_url(dataset.source_page_url),
            "description_html": mark_safe(markdown_html(dataset.description)),  # nh3-sanitised
            "licence": licence_get(dataset.license_id),
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
