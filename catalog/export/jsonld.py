"""schema.org ``Dataset`` JSON-LD for a dataset page: the markup Google Dataset Search reads.

``dataset_jsonld`` builds the object; ``jsonld_script_text`` makes it safe inside
``<script type="application/ld+json">``: ``<``, ``>`` and ``&`` are written as ``\\u003c`` etc.,
so catalog text holding ``</script>`` or ``<!--`` cannot end or bend the element, and U+2028 /
U+2029 are escaped too. (A data block is not executed, so the CSP's script-src does not apply.)
"""

from __future__ import annotations

import json
from typing import Any

from catalog.models import Dataset

from .columns import distribution_columns
from .common import api_url, doi_of, http_url, one_line, page_url, paper_of

DESCRIPTION_MIN = 50  # Google Dataset Search wants 50-5000 characters
DESCRIPTION_MAX = 5000
_FORMAT_MEDIA = {
    "CSV": "text/csv",
    "JSON": "application/json",
    "GEOJSON": "application/geo+json",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "XLS": "application/vnd.ms-excel",
    "PDF": "application/pdf",
    "XML": "application/xml",
    "KML": "application/vnd.google-earth.kml+xml",
    "ZIP": "application/zip",
    "PARQUET": "application/vnd.apache.parquet",
    "TSV": "text/tab-separated-values",
}


def media_type_of(fmt: str, declared: str = "") -> str:
    return declared or _FORMAT_MEDIA.get((fmt or "").upper(), "")


def _description(dataset: Dataset) -> str:
    text = (dataset.description or "").strip()
    if len(text) < DESCRIPTION_MIN:
        publisher = dataset.publisher.name if dataset.publisher_id and dataset.publisher else dataset.source.name
        lead = f"{text} " if text else ""
        text = f'{lead}Dataset "{one_line(dataset.title)}" published by {publisher}, listed in {dataset.source.name}.'
    return text[: DESCRIPTION_MAX - 1] + "…" if len(text) > DESCRIPTION_MAX else text


def _temporal(dataset: Dataset) -> str:
    start, end = dataset.temporal_start, dataset.temporal_end
    if not start and not end:
        return ""
    return f"{start.isoformat() if start else '..'}/{end.isoformat() if end else '..'}"


def dataset_jsonld(dataset: Dataset, *, base_url: str) -> dict[str, Any]:
    url = page_url(dataset, base_url)
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": url,
        "name": dataset.title,
        "description": _description(dataset),
        "url": url,
        "identifier": [dataset.external_id],
        "includedInDataCatalog": {
            "@type": "DataCatalog",
            "name": dataset.source.name,
            **({"url": http_url(dataset.source.homepage)} if http_url(dataset.source.homepage) else {}),
        },
    }
    doi = doi_of(dataset)
    if doi:
        data["identifier"].insert(0, f"https://doi.org/{doi}")
    same_as = http_url(dataset.landing_url)
    if same_as:
        data["sameAs"] = same_as
    if dataset.publisher_id and dataset.publisher:
        organisation = {"@type": "Organization", "name": dataset.publisher.name}
        if http_url(dataset.publisher.homepage):
            organisation["url"] = dataset.publisher.homepage
        data["creator"] = organisation
    data["publisher"] = {"@type": "Organization", "name": dataset.source.name}
    if dataset.license:
        data["license"] = (
            dataset.license if http_url(dataset.license) else {"@type": "CreativeWork", "name": dataset.license}
        )
    keywords = [t.name for t in dataset.tags.all()] + [str(t) for t in dataset.themes or []]
    if keywords:
        data["keywords"] = list(dict.fromkeys(keywords))
    if temporal := _temporal(dataset):
        data["temporalCoverage"] = temporal
    if dataset.geographic_coverage:
        data["spatialCoverage"] = {"@type": "Place", "name": dataset.geographic_coverage}
    if dataset.source_created_at:
        data["datePublished"] = dataset.source_created_at.date().isoformat()
    if dataset.source_modified_at:
        data["dateModified"] = dataset.source_modified_at.date().isoformat()
    downloads = []
    distributions = list(dataset.distributions.all())
    variables: dict[str, None] = {}
    for columns in distribution_columns(distributions).values():  # the previews' columns, when there are
        variables.update((str(c.get("name", "")), None) for c in columns if c.get("name"))
    if variables:
        data["variableMeasured"] = [{"@type": "PropertyValue", "name": name} for name in list(variables)[:200]]
    for dist in distributions:
        content_url = http_url(dist.url)
        if not content_url:
            continue
        download: dict[str, Any] = {"@type": "DataDownload", "contentUrl": content_url}
        if dist.title:
            download["name"] = dist.title
        encoding = media_type_of(dist.format, dist.media_type) or dist.format
        if encoding:
            download["encodingFormat"] = encoding
        downloads.append(download)
    if downloads:
        data["distribution"] = downloads
    paper = paper_of(dataset)
    if paper:
        citation: dict[str, Any] = {"@type": "ScholarlyArticle", "name": paper.title}
        if paper.url:
            citation["url"] = paper.url
        if paper.doi:
            citation["identifier"] = f"https://doi.org/{paper.doi}"
        data["citation"] = citation
    data["subjectOf"] = {
        "@type": "CreativeWork",
        "name": "Data Package (Frictionless)",
        "encodingFormat": "application/json",
        "url": api_url("api-dataset-datapackage", dataset, base_url),
    }
    return data


_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def jsonld_script_text(data: dict[str, Any]) -> str:
    """JSON text that can sit between ``<script type="application/ld+json">`` and ``</script>``."""
    return json.dumps(data, ensure_ascii=False, indent=1).translate(_SCRIPT_ESCAPES)
