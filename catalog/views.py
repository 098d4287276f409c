"""Catalog pages that need nothing but the catalog (the dataset page, which adds similar datasets, is in search)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import previews, selectors
from .models import Dataset, Distribution
from .presentation import safe_url


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


@require_GET
def distribution_download(request, pk: int, distribution_pk: int):
    """Redirect to a distribution's file (for data.gov.sg, the signed URL its download API gives now)."""
    try:
        dataset = selectors.dataset_get_visible(pk=pk, user=request.user)
        distribution = dataset.distributions.get(pk=distribution_pk)
    except (Dataset.DoesNotExist, Distribution.DoesNotExist):
        raise Http404("No such file") from None
    try:
        target = safe_url(previews.distribution_download_url(distribution))
    except previews.Unavailable as exc:
        target, reason = "", str(exc)
    else:
        reason = "" if target else "the portal gave no usable file address"
    if target:
        return HttpResponseRedirect(target)
    context = {
        "dataset": dataset,
        "distribution": distribution,
        "reason": reason,
        "landing_url": safe_url(dataset.landing_url),
    }
    return render(request, "catalog/download_unavailable.html", context, status=502)
