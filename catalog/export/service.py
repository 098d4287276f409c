"""Entry points the views, API and command call: a dataset's exports, and the catalog's DCAT pages."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet

from catalog.models import Dataset

from . import dcat


def datasets_for_export() -> QuerySet[Dataset]:
    """Active datasets with everything an export reads, in a stable order (pages never overlap)."""
    return (
        Dataset.objects.active()
        .select_related("source", "publisher")
        .prefetch_related("tags", "distributions")
        .order_by("pk")
    )


class PageOutOfRange(ValueError):
    pass


def dcat_page_render(*, fmt: str, page: int, base_url: str, page_url_for: Callable[[int], str]) -> str:
    """Page ``page`` (from 1) of the DCAT-AP catalog in ``fmt`` (a key of dcat.FORMATS, checked by
    the caller); cached for DCAT_EXPORT_CACHE_SECONDS. PageOutOfRange past the last page."""
    size = settings.DCAT_EXPORT_PAGE_SIZE
    key = f"catalog:dcat:{fmt}:{size}:{page}:{page_url_for(page)}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    qs = datasets_for_export()
    total = qs.count()
    info = dcat.CatalogPage(number=page, size=size, total=total)
    if page > info.pages:
        raise PageOutOfRange(f"page {page} is past the last page ({info.pages})")
    rows = list(qs[(page - 1) * size : page * size])
    graph = dcat.catalog_graph(rows, base_url=base_url, page=info, page_url_for=page_url_for)
    text = dcat.catalog_serialize(graph, fmt)
    cache.set(key, text, settings.DCAT_EXPORT_CACHE_SECONDS)
    return text


def dcat_catalog_render(*, fmt: str, base_url: str, batch: int = 1000) -> str:
    """The whole active catalog in one document (``manage.py export_dcat``)."""
    graph = None
    qs = datasets_for_export()
    rows: list[Dataset] = []
    last = 0
    while True:  # keyset batches keep the prefetches bounded
        chunk = list(qs.filter(pk__gt=last)[:batch])
        if not chunk:
            break
        rows.extend(chunk)
        last = chunk[-1].pk
    graph = dcat.catalog_graph(rows, base_url=base_url)
    return dcat.catalog_serialize(graph, fmt)


def dataset_page_exports(dataset: Dataset, *, base_url: str) -> dict:
    """What the dataset page adds from the exports: the JSON-LD block, snippets, the citation."""
    from django.urls import reverse
    from django.utils.safestring import mark_safe

    from .citation import apa, bibtex, citation_facts
    from .jsonld import dataset_jsonld, jsonld_script_text
    from .snippets import dataset_snippets

    groups = dataset_snippets(dataset)
    facts = citation_facts(dataset, base_url=base_url)
    citation_url = reverse("api-dataset-citation", args=[dataset.pk])
    return {
        # Safe inside <script type="application/ld+json">: <, > and & are \\u-escaped (jsonld_script_text).
        "jsonld": mark_safe(jsonld_script_text(dataset_jsonld(dataset, base_url=base_url))),  # noqa: S308
        "snippet_groups": [g.to_dict() for g in groups],
        "apa": apa(dataset, base_url=base_url).strip(),
        "bibtex": bibtex(dataset, base_url=base_url).strip(),
        "doi": facts.doi,
        "paper": facts.paper,
        "citation_downloads": [
            {"label": label, "href": f"{citation_url}?format={fmt}&download=1"}
            for fmt, label in (("bibtex", "BibTeX"), ("ris", "RIS"), ("csl-json", "CSL-JSON"), ("apa", "APA (text)"))
        ],
        "datapackage_url": reverse("api-dataset-datapackage", args=[dataset.pk]),
        "jsonld_url": reverse("api-dataset-jsonld", args=[dataset.pk]),
    }
