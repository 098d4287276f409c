"""A Frictionless Data Package (``datapackage.json``, Data Package v2 with v1-compatible fields)
describing a dataset: one resource per downloadable distribution, with a Table Schema when the
distribution's preview found columns (``catalog.export.columns``)."""

from __future__ import annotations

import re
from typing import Any

from catalog.models import Dataset

from .columns import distribution_columns, table_schema_type
from .common import api_url, doi_of, http_url, page_url
from .jsonld import media_type_of

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
_NAME = re.compile(r"[^a-z0-9._-]+")


def package_name(value: str, fallback: str) -> str:
    """A Data Package name: lower-case letters, digits, ``-``, ``_``, ``.``."""
    name = _NAME.sub("-", value.lower()).strip("-._")[:100]
    return name or fallback


def _schema(columns: list[dict[str, Any]]) -> dict[str, Any]:
    fields = []
    for column in columns:
        field: dict[str, Any] = {"name": str(column.get("name", "")), "type": table_schema_type(column.get("type", ""))}
        if column.get("description"):
            field["description"] = str(column["description"])
        fields.append(field)
    return {"fields": fields}


def datapackage(
    dataset: Dataset, *, base_url: str, columns: dict[int, list[dict[str, Any]]] | None = None
) -> dict[str, Any]:
    """The package; ``columns`` (distribution id -> preview columns) defaults to the previews' own."""
    distributions = list(dataset.distributions.all())
    if columns is None:
        columns = distribution_columns(distributions)
    resources: list[dict[str, Any]] = []
    used: set[str] = set()
    for index, dist in enumerate(distributions, start=1):
        path = http_url(dist.url)
        if not path:
            continue
        name = package_name(dist.title or f"{dist.format or 'file'}-{index}", f"resource-{index}")
        if name in used:
            name = f"{name}-{index}"
        used.add(name)
        resource: dict[str, Any] = {"name": name, "path": path}
        if dist.title:
            resource["title"] = dist.title
        if dist.format:
            resource["format"] = dist.format.lower()
        media = media_type_of(dist.format, dist.media_type)
        if media:
            resource["mediatype"] = media
        if columns.get(dist.pk):
            resource["schema"] = _schema(columns[dist.pk])
        resources.append(resource)
    landing = http_url(dataset.landing_url)
    if not resources:  # a package needs one resource: the page where the data can be had
        resources.append(
            {
                "name": "landing-page",
                "path": landing or page_url(dataset, base_url),
                "format": "html",
                "mediatype": "text/html",
                "description": "The source lists no downloadable file; the data is reached from this page.",
            }
        )
    package: dict[str, Any] = {
        "$schema": PROFILE,
        "profile": "data-package",
        "name": package_name(f"{dataset.source.slug}-{dataset.external_id}", f"dataset-{dataset.pk}"),
        "id": f"https://doi.org/{doi_of(dataset)}" if doi_of(dataset) else page_url(dataset, base_url),
        "title": dataset.title,
        "homepage": landing or page_url(dataset, base_url),
        "sources": [
            {
                "title": dataset.source.name,
                **({"path": dataset.source.homepage} if http_url(dataset.source.homepage) else {}),
            }
        ],
        "resources": resources,
    }
    if dataset.description:
        package["description"] = dataset.description
    if dataset.license:
        licence: dict[str, Any] = {"title": dataset.license}
        if http_url(dataset.license):
            licence["path"] = dataset.license
        package["licenses"] = [licence]
    keywords = [t.name for t in dataset.tags.all()] + [str(t) for t in dataset.themes or []]
    if keywords:
        package["keywords"] = list(dict.fromkeys(keywords))
    if dataset.publisher_id and dataset.publisher:
        package["contributors"] = [{"title": dataset.publisher.name, "roles": ["publisher"], "role": "publisher"}]
    if dataset.source_created_at:
        package["created"] = dataset.source_created_at.isoformat()
    package["x-citation"] = api_url("api-dataset-citation", dataset, base_url)
    return package
