"""Catalog pages that need nothing but the catalog (the dataset page, which adds similar datasets, is in search)."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors


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
