from __future__ import annotations

import logging

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from search import services as search_services
from search.views import LINK_LABELS, hit_card, safe_url

from . import selectors
from .models import Dataset

logger = logging.getLogger(__name__)


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
        dataset = selectors.dataset_get_visible(pk=pk, user=request.user)
    except Dataset.DoesNotExist:
        raise Http404("No such dataset") from None
    try:
        similar = [
            hit_card(hit) for hit in search_services.similar_datasets(dataset_id=dataset.pk, top_k=5, user=request.user)
        ]
    except Exception:  # the neighbours panel is optional: the page still works while the index is rebuilt
        logger.warning("similar datasets unavailable for dataset %s", dataset.pk, exc_info=True)
        similar = None
    distributions = [
        {
            "title": d.title,
            "format": d.format,
            "url": safe_url(d.url),
            "raw_url": d.url,
            "media_type": d.media_type,
            "link_status": d.link_status,
            "link_label": LINK_LABELS.get(d.link_status, ""),
            "checked": d.link_checked_at,
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
            "extra_rows": _scalar_extra(dataset.extra),
        },
    )


@require_GET
def help_page(request):
    sources = list(selectors.source_counts())
    return render(
        request,
        "catalog/help.html",
        {
            "sources": sources,
            "catalog_size": sum(s.active_count for s in sources),
            "max_top_k": settings.SEARCH_MAX_TOP_K,
        },
    )
