"""The catalog as DCAT-AP (JSON-LD or Turtle, built with rdflib), in Hydra pages.

Shape: the root ``dcat:Catalog`` (this site) lists one sub-catalog per source (``dcat:catalog``:
``dct:identifier`` = the source slug, ``dct:title``, ``foaf:homepage``, ``dct:type`` a concept
whose ``skos:notation`` is the source kind, ``dct:spatial`` its country), each listing its
datasets. A dataset's IRI is its page here; ``dct:identifier`` is its id at the source. Free-text
values that DCAT-AP expects as controlled terms (licence, frequency, theme, format when not a
plain code) are labelled nodes, so nothing is lost: ``catalog.importers.dcat_ap`` reads a page or
the whole file back into the same datasets. Only active datasets are published.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

from rdflib import RDF, RDFS, SKOS, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF

from catalog.importers.dcat_ap import EU_FILE_TYPE, EU_FREQUENCY, FREQUENCY_SUFFIX, HYDRA, IANA_MEDIA
from catalog.models import Dataset, Source

from .common import absolute, http_url, page_url

FORMATS = {
    # format -> (rdflib serializer, content type)
    "jsonld": ("json-ld", "application/ld+json; charset=utf-8"),
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
}
_EU_FREQUENCY_CODE = {words: code for code, words in FREQUENCY_SUFFIX.items()}
_CODE = re.compile(r"^[A-Z0-9_-]{1,40}$")
_MEDIA = re.compile(r"^[A-Za-z0-9][\w.+-]*/[\w.+-]+$")
_IRI_UNSAFE = re.compile(r'[<>"{}|\\^`]')
CONTEXT = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "skos": str(SKOS),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "hydra": str(HYDRA),
}


@dataclass(frozen=True)
class CatalogPage:
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, (self.total + self.size - 1) // self.size)


def _iri(value: str) -> URIRef:
    # A stored URL may hold characters an IRI cannot (quotes, braces): percent-encode just those.
    return URIRef(_IRI_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", value))


def _labelled(graph: Graph, kind: URIRef, text: str, prop=RDFS.label) -> BNode:
    node = BNode()
    graph.add((node, RDF.type, kind))
    graph.add((node, prop, Literal(text)))
    return node


def source_iri(base_url: str, source: Source) -> URIRef:
    return URIRef(absolute(base_url, f"/catalog/sources/{source.slug}"))


def _add_source(graph: Graph, root: URIRef, source: Source, base_url: str) -> URIRef:
    node = source_iri(base_url, source)
    graph.add((root, DCAT.catalog, node))
    graph.add((node, RDF.type, DCAT.Catalog))
    graph.add((node, DCTERMS.identifier, Literal(source.slug)))
    graph.add((node, DCTERMS.title, Literal(source.name)))
    if http_url(source.homepage):
        graph.add((node, FOAF.homepage, _iri(source.homepage)))
    kind = _labelled(graph, SKOS.Concept, source.get_kind_display(), SKOS.prefLabel)
    graph.add((kind, SKOS.notation, Literal(source.kind)))
    graph.add((node, DCTERMS.type, kind))
    if source.country:
        graph.add((node, DCTERMS.spatial, _labelled(graph, DCTERMS.Location, source.country, SKOS.prefLabel)))
    return node


def _add_distribution(graph: Graph, dataset_node: URIRef, index: int, dist) -> None:
    node = URIRef(f"{dataset_node}#distribution-{index:04d}")
    graph.add((dataset_node, DCAT.distribution, node))
    graph.add((node, RDF.type, DCAT.Distribution))
    if dist.title:
        graph.add((node, DCTERMS.title, Literal(dist.title)))
    if http_url(dist.url):
        graph.add((node, DCAT.accessURL, _iri(dist.url)))
        graph.add((node, DCAT.downloadURL, _iri(dist.url)))
    if dist.format:
        fmt = URIRef(EU_FILE_TYPE + dist.format) if _CODE.match(dist.format) else None
        graph.add((node, DCTERMS.format, fmt or _labelled(graph, DCTERMS.MediaTypeOrExtent, dist.format)))
    if dist.media_type:
        media = URIRef(IANA_MEDIA + dist.media_type) if _MEDIA.match(dist.media_type) else Literal(dist.media_type)
        graph.add((node, DCAT.mediaType, media))


def _add_dataset(graph: Graph, catalog_node: URIRef, dataset: Dataset, base_url: str) -> None:
    node = URIRef(page_url(dataset, base_url))
    graph.add((catalog_node, DCAT.dataset, node))
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.identifier, Literal(dataset.external_id)))
    graph.add((node, DCTERMS.title, Literal(dataset.title)))
    if dataset.description:
        graph.add((node, DCTERMS.description, Literal(dataset.description)))
    for tag in dataset.tags.all():
        graph.add((node, DCAT.keyword, Literal(tag.name)))
    for theme in dataset.themes or []:
        graph.add((node, DCAT.theme, _labelled(graph, SKOS.Concept, str(theme), SKOS.prefLabel)))
    if dataset.publisher_id and dataset.publisher:
        graph.add((node, DCTERMS.publisher, _labelled(graph, FOAF.Agent, dataset.publisher.name, FOAF.name)))
    if dataset.license:
        licence = _iri(dataset.license) if http_url(dataset.license) else None
        graph.add((node, DCTERMS.license, licence or _labelled(graph, DCTERMS.LicenseDocument, dataset.license)))
    if http_url(dataset.landing_url):
        graph.add((node, DCAT.landingPage, _iri(dataset.landing_url)))
    if dataset.geographic_coverage:
        place = _labelled(graph, DCTERMS.Location, dataset.geographic_coverage, SKOS.prefLabel)
        graph.add((node, DCTERMS.spatial, place))
    if dataset.temporal_start or dataset.temporal_end:
        period = BNode()
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if dataset.temporal_start:
            graph.add((period, DCAT.startDate, Literal(dataset.temporal_start, datatype=XSD.date)))
        if dataset.temporal_end:
            graph.add((period, DCAT.endDate, Literal(dataset.temporal_end, datatype=XSD.date)))
        graph.add((node, DCTERMS.temporal, period))
    if dataset.update_frequency:
        code = _EU_FREQUENCY_CODE.get(dataset.update_frequency)
        frequency = URIRef(EU_FREQUENCY + code) if code else None
        graph.add(
            (
                node,
                DCTERMS.accrualPeriodicity,
                frequency or _labelled(graph, DCTERMS.Frequency, dataset.update_frequency),
            )
        )
    if dataset.source_created_at:
        graph.add((node, DCTERMS.issued, Literal(dataset.source_created_at, datatype=XSD.dateTime)))
    if dataset.source_modified_at:
        graph.add((node, DCTERMS.modified, Literal(dataset.source_modified_at, datatype=XSD.dateTime)))
    distributions = list(dataset.distributions.all())
    for index, dist in enumerate(distributions, start=1):
        _add_distribution(graph, node, index, dist)
    covered = {d.format for d in distributions}
    for fmt in dataset.formats or []:  # declared formats without a distribution of their own
        if fmt and fmt not in covered:
            graph.add((node, DCTERMS.format, _labelled(graph, DCTERMS.MediaTypeOrExtent, str(fmt))))


def catalog_graph(
    datasets: list[Dataset], *, base_url: str, page: CatalogPage | None = None, page_url_for=None
) -> Graph:
    """The DCAT-AP graph of these datasets (with their sources); Hydra paging links when paged.

    ``page_url_for(n)`` gives the absolute URL of page ``n`` of the same serialisation.
    """
    graph = Graph()
    for prefix, ns in CONTEXT.items():
        graph.bind(prefix, ns)
    root = URIRef(absolute(base_url, "/catalog"))
    graph.add((root, RDF.type, DCAT.Catalog))
    graph.add((root, DCTERMS.title, Literal("Dataset Research Assistant catalog")))
    graph.add((root, DCTERMS.description, Literal("Open datasets curated by the Dataset Research Assistant.")))
    graph.add((root, FOAF.homepage, URIRef(absolute(base_url, "/"))))
    sources: dict[int, URIRef] = {}
    for dataset in datasets:
        if dataset.source_id not in sources:
            sources[dataset.source_id] = _add_source(graph, root, dataset.source, base_url)
        _add_dataset(graph, sources[dataset.source_id], dataset, base_url)
    if page is not None and page_url_for is not None:
        view = URIRef(page_url_for(page.number))
        graph.add((view, RDF.type, HYDRA.PartialCollectionView))
        graph.add((root, HYDRA.view, view))
        graph.add((root, HYDRA.totalItems, Literal(page.total)))
        graph.add((view, HYDRA.first, URIRef(page_url_for(1))))
        graph.add((view, HYDRA.last, URIRef(page_url_for(page.pages))))
        if page.number < page.pages:
            graph.add((view, HYDRA.next, URIRef(page_url_for(page.number + 1))))
        if page.number > 1:
            graph.add((view, HYDRA.previous, URIRef(page_url_for(page.number - 1))))
    return graph


def catalog_serialize(graph: Graph, fmt: str) -> str:
    """``fmt`` is a key of FORMATS (the caller checked it). JSON-LD carries its context inline."""
    serializer = FORMATS[fmt][0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        if serializer == "json-ld":
            return graph.serialize(format="json-ld", context=CONTEXT, indent=1)
        return graph.serialize(format=serializer)
