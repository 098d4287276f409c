from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from . import selectors
from .models import Dataset


def home(request):
    sources = list(selectors.source_counts())
    return render(
        request,
        "catalog/home.html",
        {"sources": sources, "catalog_size": sum(s.active_count for s in sources)},
    )


def dataset_detail(request, pk: int):
    try:
        dataset = selectors.dataset_get_visible(pk=pk, user=request.user)
    except Dataset.DoesNotExist:
        raise Http404("No such dataset") from None
    return render(request, "catalog/dataset_detail.html", {"dataset": dataset})
