"""DCAT-AP catalogs in RDF (JSON-LD, Turtle or RDF/XML, parsed with rdflib): the mapping from a
graph's ``dcat:Dataset`` nodes to records, shared by the file importer (``parse``) and the
harvester (``catalog.harvest.protocols.dcat``, which adds paging and remote contexts).

Mapping, DCAT-AP 2/3: ``dct:identifier`` (else the dataset IRI) -> external_id; ``dct:title``,
``dct:description`` (English or untagged literal preferred); ``dcat:keyword`` -> tags;
``dcat:theme`` -> themes (the IRI's last segment or its label); ``dct:publisher`` -> ``foaf:name``;
``dct:license`` (an IRI, or a labelled licence document); ``dcat:landingPage``; ``dct:spatial`` (a
literal or a labelled node); ``dct:temporal`` -> ``dcat:startDate`` / ``dcat:endDate`` (or
``schema:startDate`` / ``schema:endDate``); ``dct:accrualPeriodicity`` (an EU frequency IRI, or a
labelled node kept as written); ``dct:issued`` / ``dct:modified``; each ``dcat:distribution`` (in
IRI order) with ``dcat:downloadURL`` or ``dcat:accessURL``, ``dct:format`` / ``dcat:mediaType``,
``dct:title``; a dataset-level ``dct:format`` adds a declared format.

Sources: in a file, a dataset listed by a sub-catalog (``dcat:catalog`` of the root, with
``dct:identifier`` as slug, ``dct:title``, ``foaf:homepage``, ``dct:type``/``skos:notation`` as
kind, ``dct:spatial`` as country) belongs to that source — the shape our own export
(``catalog.export.dcat``) writes, so it reads back losslessly. Other datasets take the source the
caller names, else one named after the landing pages' host. Remote JSON-LD contexts are refused in
files (the importer never goes to the network).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF

from . import base
from .base import (
    DatasetRecord,
    DistributionData,
    ParseResult,
    RecordError,
    RecordInvalid,
    SourceData,
    formats_of,
    parse_date,
    parse_datetime,
    tags,
    temporal,
    text,
    title,
    url,
)
from .base import fmt as base_fmt

ORIGIN = "dcat"
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SCHEMA = Namespace("http://schema.org/")
SCHEMA_S = Namespace("https://schema.org/")
EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
IANA_MEDIA = "http://www.iana.org/assignments/media-types/"
FREQUENCY_SUFFIX = {"DAILY": "daily", "WEEKLY": "weekly", "MONTHLY": "monthly", "QUARTERLY": "quarterly"}
FREQUENCY_SUFFIX |= {"ANNUAL": "annual", "IRREG": "irregular", "CONT": "continuous", "BIENNIAL": "biennial"}


def sniff(head: str) -> bool:
    stripped = head.lstrip()
    if stripped.startswith(("@prefix", "PREFIX", "@base")) or stripped.startswith("<"):
        return "dcat" in head
    return stripped.startswith("{") and '"@graph"' in head and "dcat" in head and "project-open-data" not in head


def graph_parse(data: str, rdf_format: str, *, public_id: str = "") -> Graph:
    """Parse RDF text; any parser error becomes ValueError with a short reason."""
    graph = Graph()
    try:
        with warnings.catch_warnings():
            # rdflib 7.6's JSON-LD parser uses its own deprecated ConjunctiveGraph internally.
            warnings.simplefilter("ignore", DeprecationWarning)
            graph.parse(data=data, format=rdf_format, publicID=public_id or None)
    except Exception as exc:  # rdflib raises many parser-specific types for malformed input
        raise ValueError(f"{type(exc).__name__}: {str(exc)[:120]}") from None
    return graph


def literal(graph: Graph, node, prop) -> str:
    """The English or untagged literal of ``prop`` (else any), as text."""
    values = [v for v in graph.objects(node, prop) if isinstance(v, Literal)]
    for v in values:
        if v.language in (None, "en"):
            return str(v)
    return str(values[0]) if values else ""


def label(graph: Graph, node) -> str:
    if isinstance(node, Literal):
        return str(node)
    for prop in (SKOS.prefLabel, RDFS.label, FOAF.name, DCTERMS.title):
        found = literal(graph, node, prop)
        if found:
            return found
    return str(node).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] if isinstance(node, URIRef) else ""


def first(graph: Graph, node, *props):
    for prop in props:
        for value in graph.objects(node, prop):
            return value
    return None


def _frequency(graph: Graph, node) -> str:
    if node is None:
        return ""
    if isinstance(node, URIRef):  # a controlled vocabulary term: its code, as our words
        code = label(graph, node) if not str(node).startswith(EU_FREQUENCY) else str(node).rsplit("/", 1)[-1]
        return FREQUENCY_SUFFIX.get(code.upper(), code.lower())
    return label(graph, node)  # free text (a literal or a labelled node) is kept as written


def _distributions(graph: Graph, node) -> list[DistributionData]:
    out = []
    for dist in sorted(graph.objects(node, DCAT.distribution), key=str):
        media = first(graph, dist, DCAT.mediaType)
        media_type = label(graph, media) if media is not None and not isinstance(media, URIRef) else str(media or "")
        media_type = media_type.removeprefix(IANA_MEDIA)
        fmt_node = first(graph, dist, DCTERMS.format)
        out.append(
            DistributionData(
                format=base_fmt(label(graph, fmt_node) if fmt_node is not None else "", media_type=media_type),
                url=url(str(first(graph, dist, DCAT.downloadURL, DCAT.accessURL) or "")),
                title=text(literal(graph, dist, DCTERMS.title), "distribution title", max_length=500),
                media_type=media_type[:100],
            )
        )
    return out


def record_from_graph(graph: Graph, node, source: SourceData) -> DatasetRecord:
    """One ``dcat:Dataset`` node as a record of ``source``; RecordInvalid when it cannot be."""
    ext_id = text(literal(graph, node, DCTERMS.identifier) or (str(node) if isinstance(node, URIRef) else ""),
                  "identifier", required=True, max_length=300)  # fmt: skip
    publisher = first(graph, node, DCTERMS.publisher)
    distributions = _distributions(graph, node)
    declared = sorted({base_fmt(label(graph, f)) for f in graph.objects(node, DCTERMS.format)} - {""})
    period = first(graph, node, DCTERMS.temporal)
    start = end = None
    if period is not None:
        start_value = first(graph, period, DCAT.startDate, SCHEMA.startDate, SCHEMA_S.startDate)
        end_value = first(graph, period, DCAT.endDate, SCHEMA.endDate, SCHEMA_S.endDate)
        start = parse_date(str(start_value), "startDate") if start_value is not None else None
        end = parse_date(str(end_value), "endDate") if end_value is not None else None
    start, end = temporal(start, end)
    spatial = first(graph, node, DCTERMS.spatial)
    license_node = first(graph, node, DCTERMS.license)
    license_text = str(license_node) if isinstance(license_node, URIRef) else label(graph, license_node)
    landing = first(graph, node, DCAT.landingPage)
    issued, modified = first(graph, node, DCTERMS.issued), first(graph, node, DCTERMS.modified)
    return DatasetRecord(
        source=source,
        external_id=ext_id,
        ref=ext_id,
        title=title(literal(graph, node, DCTERMS.title)),
        description=text(literal(graph, node, DCTERMS.description), "description"),
        publisher=text(label(graph, publisher) if publisher is not None else "", "publisher", max_length=300),
        tags=tags([str(k) for k in graph.objects(node, DCAT.keyword)]),
        themes=sorted({label(graph, t) for t in graph.objects(node, DCAT.theme)} - {""}),
        formats=formats_of(distributions, declared=declared),
        license=text(license_text if license_node is not None else "", "license", max_length=300),
        landing_url=url(str(landing or "")),
        geographic_coverage=text(label(graph, spatial) if spatial is not None else "", "spatial", max_length=200),
        temporal_start=start,
        temporal_end=end,
        update_frequency=_frequency(graph, first(graph, node, DCTERMS.accrualPeriodicity))[:100],
        source_created_at=parse_datetime(str(issued), "issued") if issued is not None else None,
        source_modified_at=parse_datetime(str(modified), "modified") if modified is not None else None,
        distributions=distributions,
        extra={"description_source": "dataset", "dcat_iri": str(node)},
    )


def dataset_nodes(graph: Graph) -> list[Any]:
    return sorted(set(graph.subjects(RDF.type, DCAT.Dataset)), key=str)


def _sub_catalog_sources(graph: Graph) -> dict[Any, SourceData]:
    """dataset node -> the source of the sub-catalog that lists it (those with an identifier)."""
    by_dataset: dict[Any, SourceData] = {}
    for catalog in graph.subjects(RDF.type, DCAT.Catalog):
        slug = literal(graph, catalog, DCTERMS.identifier).strip()
        if not slug or not any(True for _ in graph.subjects(DCAT.catalog, catalog)):
            continue
        kind_node = first(graph, catalog, DCTERMS.type)
        kind = literal(graph, kind_node, SKOS.notation) if kind_node is not None else ""
        country_node = first(graph, catalog, DCTERMS.spatial)
        source = SourceData(
            slug=slug[:64],
            name=(literal(graph, catalog, DCTERMS.title) or slug)[:200],
            homepage=url(str(first(graph, catalog, FOAF.homepage) or ""))[:500],
            kind=kind or "other",
            country=(label(graph, country_node) if country_node is not None else "")[:64],
        )
        for dataset in graph.objects(catalog, DCAT.dataset):
            by_dataset[dataset] = source
    return by_dataset


def _rdf_format(path: Path, head: str) -> str:
    if path.suffix.lower() in (".rdf", ".xml") or head.lstrip().startswith("<?xml"):
        return "xml"
    return "json-ld" if head.lstrip().startswith(("{", "[")) else "turtle"


def parse(path: Path, *, source: SourceData | None = None) -> ParseResult:
    raw = base.read_text(path)
    rdf_format = _rdf_format(path, raw[:200])
    if rdf_format == "json-ld":
        try:
            document = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise base.ImportFormatError(f"{path.name}: not valid JSON-LD ({exc.msg}: line {exc.lineno})") from None
        contexts = document.get("@context") if isinstance(document, dict) else None
        for context in contexts if isinstance(contexts, list) else [contexts]:
            if isinstance(context, str):
                raise base.ImportFormatError(f"{path.name}: remote JSON-LD @context {context[:100]!r} is not fetched")
    try:
        graph = graph_parse(raw, rdf_format, public_id=path.resolve().as_uri())
    except ValueError as exc:
        raise base.ImportFormatError(f"{path.name}: malformed RDF ({exc})") from None
    nodes = dataset_nodes(graph)
    by_node = {} if source is not None else _sub_catalog_sources(graph)
    fallback = source
    if fallback is None and len(by_node) < len(nodes):
        slug = base.host_slug([str(first(graph, n, DCAT.landingPage) or "") for n in nodes], "dcat")
        fallback = SourceData(slug, slug.replace("-", "."), "", "dcat")
    records, errors = [], []
    for node in nodes:
        ref = literal(graph, node, DCTERMS.identifier) or str(node)
        owner = by_node.get(node, fallback)
        assert owner is not None  # every node has a sub-catalog source or the fallback
        try:
            records.append(record_from_graph(graph, node, owner))
        except RecordInvalid as exc:
            errors.append(RecordError(ref[:300], str(exc)))
    return ParseResult(ORIGIN, records, errors)
