"""DCAT-AP catalogs in RDF (JSON-LD, Turtle or RDF/XML, parsed with rdflib), paged with Hydra.

A page is an RDF document holding ``dcat:Dataset`` nodes; the next page is the object of
``hydra:next`` (Hydra core) or ``hydra:nextPage`` (the older paged-collection terms that
data.europa.eu and the CKAN DCAT extension emit). Mapping, DCAT-AP 2/3: ``dct:identifier``
(else the dataset IRI) -> external_id; ``dct:title``, ``dct:description`` (English or untagged
literal preferred); ``dcat:keyword`` -> tags; ``dcat:theme`` -> themes (the IRI's last segment
or its label); ``dct:publisher`` -> ``foaf:name``; ``dct:license``; ``dcat:landingPage``;
``dct:spatial`` (a literal or a labelled node); ``dct:temporal`` -> ``dcat:startDate`` /
``dcat:endDate`` (or ``schema:startDate`` / ``schema:endDate``); ``dct:accrualPeriodicity``;
``dct:issued`` / ``dct:modified``; each ``dcat:distribution`` with ``dcat:downloadURL`` or
``dcat:accessURL``, ``dct:format`` / ``dcat:mediaType``, ``dct:title``.

Remote JSON-LD ``@context`` URLs are fetched through the harvest client (once per run) and inlined,
so rdflib never opens connections of its own. No modified-since filter (DCAT has none); a single-page catalog is fetched conditionally
(ETag / Last-Modified -> 304). A page that cannot be fetched or parsed ends the walk (its next
link is unknown), so the listing is then incomplete and nothing is withdrawn.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from rdflib import RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF

from catalog.harvest.http import Fetched, FetchError, HarvestClient
from catalog.importers import dcat as dcat_us
from catalog.importers.base import (
    DatasetRecord,
    DistributionData,
    formats_of,
    parse_date,
    parse_datetime,
    tags,
    temporal,
    text,
    title,
    url,
)
from catalog.importers.base import fmt as base_fmt

from . import Context, Page, records_page

ORIGIN = dcat_us.ORIGIN
MODIFIED_SINCE = False
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SCHEMA = Namespace("http://schema.org/")
SCHEMA_S = Namespace("https://schema.org/")
ACCEPT = "application/ld+json, text/turtle;q=0.9, application/rdf+xml;q=0.8"
_FREQUENCY_SUFFIX = {"DAILY": "daily", "WEEKLY": "weekly", "MONTHLY": "monthly", "QUARTERLY": "quarterly"}
_FREQUENCY_SUFFIX |= {"ANNUAL": "annual", "IRREG": "irregular", "CONT": "continuous", "BIENNIAL": "biennial"}


def _rdf_format(fetched: Fetched) -> str:
    ctype = fetched.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if "json" in ctype or fetched.url.endswith((".jsonld", ".json")):
        return "json-ld"
    if "turtle" in ctype or fetched.url.endswith(".ttl"):
        return "turtle"
    if "xml" in ctype or fetched.url.endswith((".rdf", ".xml")):
        return "xml"
    return "turtle" if fetched.content.lstrip()[:1] in (b"@", b"<") else "json-ld"


def _inline_contexts(client: HarvestClient, document: Any, cache: dict[str, Any]) -> Any:
    """The JSON-LD document with its remote top-level ``@context`` URLs fetched through our client
    (timeouts, rate limit, redirect rules) and inlined, so rdflib never goes to the network itself."""
    if not isinstance(document, dict) or "@context" not in document:
        return document
    contexts = document["@context"] if isinstance(document["@context"], list) else [document["@context"]]
    inlined = []
    for context in contexts:
        if isinstance(context, str) and context.startswith(("http://", "https://")):
            if context not in cache:
                remote = client.get(context, accept="application/ld+json, application/json").json()
                if not isinstance(remote, dict) or not isinstance(remote.get("@context"), dict | list):
                    raise FetchError(f"no JSON-LD @context at {context}")
                cache[context] = remote["@context"]
            context = cache[context]
            if isinstance(context, list) and any(isinstance(c, str) for c in context):
                raise FetchError("nested remote JSON-LD contexts are not followed")
        inlined.append(context)
    return document | {"@context": inlined}


def _graph(client: HarvestClient, fetched: Fetched, contexts: dict[str, Any]) -> Graph:
    rdf_format = _rdf_format(fetched)
    data = fetched.content.decode("utf-8", errors="replace")
    if rdf_format == "json-ld":
        data = json.dumps(_inline_contexts(client, fetched.json(), contexts))
    graph = Graph()
    try:
        with warnings.catch_warnings():
            # rdflib 7.6's JSON-LD parser uses its own deprecated ConjunctiveGraph internally.
            warnings.simplefilter("ignore", DeprecationWarning)
            graph.parse(data=data, format=rdf_format, publicID=fetched.url)
    except Exception as exc:  # rdflib raises many parser-specific types for malformed input
        raise FetchError(f"malformed RDF from {fetched.url}: {type(exc).__name__}: {str(exc)[:120]}") from None
    return graph


def _literal(graph: Graph, node, prop) -> str:
    """The English or untagged literal of ``prop`` (else any), as text."""
    values = [v for v in graph.objects(node, prop) if isinstance(v, Literal)]
    for v in values:
        if v.language in (None, "en"):
            return str(v)
    return str(values[0]) if values else ""


def _label(graph: Graph, node) -> str:
    if isinstance(node, Literal):
        return str(node)
    for prop in (SKOS.prefLabel, RDFS.label, FOAF.name, DCTERMS.title):
        found = _literal(graph, node, prop)
        if found:
            return found
    return str(node).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] if isinstance(node, URIRef) else ""


def _first(graph: Graph, node, *props):
    for prop in props:
        for value in graph.objects(node, prop):
            return value
    return None


def _record(graph: Graph, node, ctx: Context) -> DatasetRecord:
    ext_id = text(_literal(graph, node, DCTERMS.identifier) or (str(node) if isinstance(node, URIRef) else ""),
                  "identifier", required=True, max_length=300)  # fmt: skip
    publisher = _first(graph, node, DCTERMS.publisher)
    distributions = []
    for dist in graph.objects(node, DCAT.distribution):
        media = _first(graph, dist, DCAT.mediaType)
        media_type = _label(graph, media) if media is not None and isinstance(media, Literal) else str(media or "")
        media_type = media_type.removeprefix("http://www.iana.org/assignments/media-types/")
        fmt_node = _first(graph, dist, DCTERMS.format)
        distributions.append(
            DistributionData(
                format=base_fmt(_label(graph, fmt_node) if fmt_node is not None else "", media_type=media_type),
                url=url(str(_first(graph, dist, DCAT.downloadURL, DCAT.accessURL) or "")),
                title=text(_literal(graph, dist, DCTERMS.title), "distribution title", max_length=500),
                media_type=media_type[:100],
            )
        )
    period = _first(graph, node, DCTERMS.temporal)
    start = end = None
    if period is not None:
        start_value = _first(graph, period, DCAT.startDate, SCHEMA.startDate, SCHEMA_S.startDate)
        end_value = _first(graph, period, DCAT.endDate, SCHEMA.endDate, SCHEMA_S.endDate)
        start = parse_date(str(start_value), "startDate") if start_value is not None else None
        end = parse_date(str(end_value), "endDate") if end_value is not None else None
    start, end = temporal(start, end)
    frequency = _first(graph, node, DCTERMS.accrualPeriodicity)
    frequency_text = _label(graph, frequency) if frequency is not None else ""
    spatial = _first(graph, node, DCTERMS.spatial)
    license_node = _first(graph, node, DCTERMS.license)
    landing = _first(graph, node, DCAT.landingPage)
    issued, modified = _first(graph, node, DCTERMS.issued), _first(graph, node, DCTERMS.modified)
    return DatasetRecord(
        source=ctx.source,
        external_id=ext_id,
        ref=ext_id,
        title=title(_literal(graph, node, DCTERMS.title)),
        description=text(_literal(graph, node, DCTERMS.description), "description"),
        publisher=text(_label(graph, publisher) if publisher is not None else "", "publisher", max_length=300),
        tags=tags([str(k) for k in graph.objects(node, DCAT.keyword)]),
        themes=sorted({_label(graph, t) for t in graph.objects(node, DCAT.theme)} - {""}),
        formats=formats_of(distributions),
        license=text(str(license_node or ""), "license", max_length=300),
        landing_url=url(str(landing or "")),
        geographic_coverage=text(_label(graph, spatial) if spatial is not None else "", "spatial", max_length=200),
        temporal_start=start,
        temporal_end=end,
        update_frequency=_FREQUENCY_SUFFIX.get(frequency_text.upper(), frequency_text.lower())[:100],
        source_created_at=parse_datetime(str(issued), "issued") if issued is not None else None,
        source_modified_at=parse_datetime(str(modified), "modified") if modified is not None else None,
        distributions=distributions,
        extra={"description_source": "dataset", "dcat_iri": str(node)},
    )


def _next_page(graph: Graph, current: str) -> str | None:
    for prop in (HYDRA.next, HYDRA.nextPage):
        for _subject, value in graph.subject_objects(prop):
            if str(value) != current:
                return str(value)
    return None


def pages(client: HarvestClient, ctx: Context) -> Iterator[Page]:
    next_url: str | None = ctx.url
    visited: set[str] = set()
    contexts: dict[str, Any] = {}  # remote JSON-LD contexts, fetched once per run
    number = 0
    while next_url and number < settings.HARVEST_MAX_PAGES:
        number += 1
        ref = f"page {number}"
        conditional: dict[str, str] = {}
        if number == 1 and ctx.etag:
            conditional["If-None-Match"] = ctx.etag
        if number == 1 and ctx.last_modified:
            conditional["If-Modified-Since"] = ctx.last_modified
        try:
            fetched = client.get(next_url, headers=conditional, accept=ACCEPT)
            if fetched.not_modified:
                ctx.not_modified = True
                return
            graph = _graph(client, fetched, contexts)
        except FetchError as exc:
            yield Page(ref, failed=str(exc))
            return  # the next page's address was in the page we could not read
        visited.add(next_url)
        nodes: list[Any] = sorted(set(graph.subjects(RDF.type, DCAT.Dataset)), key=str)
        yield records_page(
            ref,
            [{"node": n} for n in nodes],
            lambda item: _record(graph, item["node"], ctx),  # noqa: B023 - used before the loop moves on
            lambda item: _literal(graph, item["node"], DCTERMS.identifier) or str(item["node"]),  # noqa: B023
            ctx,
        )
        next_url = _next_page(graph, next_url)
        if next_url in visited:
            yield Page(f"page {number + 1}", failed=f"Hydra paging loops back to {next_url}")
            return
        if number == 1 and next_url is None:  # a single document: remember its validators
            ctx.new_etag = fetched.headers.get("ETag", "")
            ctx.new_last_modified = fetched.headers.get("Last-Modified", "")
    ctx.complete = next_url is None
