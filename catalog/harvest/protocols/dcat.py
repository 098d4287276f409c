"""DCAT-AP catalogs in RDF (JSON-LD, Turtle or RDF/XML, parsed with rdflib), paged with Hydra.

A page is an RDF document holding ``dcat:Dataset`` nodes; the next page is the object of
``hydra:next`` (Hydra core) or ``hydra:nextPage`` (the older paged-collection terms that
data.europa.eu and the CKAN DCAT extension emit). The field mapping is the file importer's
(``catalog.importers.dcat_ap.record_from_graph``); every record belongs to the harvest source.

Remote JSON-LD ``@context`` URLs are fetched through the harvest client (once per run) and inlined,
so rdflib never opens connections of its own. No modified-since filter (DCAT has none); a single-page catalog is fetched conditionally
(ETag / Last-Modified -> 304). A page that cannot be fetched or parsed ends the walk (its next
link is unknown), so the listing is then incomplete and nothing is withdrawn.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from rdflib import Graph
from rdflib.namespace import DCTERMS

from catalog.harvest.http import Fetched, FetchError, HarvestClient
from catalog.importers import dcat_ap
from catalog.importers.dcat_ap import HYDRA

from . import Context, Page, records_page

ORIGIN = dcat_ap.ORIGIN
MODIFIED_SINCE = False
ACCEPT = "application/ld+json, text/turtle;q=0.9, application/rdf+xml;q=0.8"


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
    try:
        return dcat_ap.graph_parse(data, rdf_format, public_id=fetched.url)
    except ValueError as exc:
        raise FetchError(f"malformed RDF from {fetched.url}: {exc}") from None


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
        nodes: list[Any] = dcat_ap.dataset_nodes(graph)
        yield records_page(
            ref,
            [{"node": n} for n in nodes],
            lambda item: dcat_ap.record_from_graph(graph, item["node"], ctx.source),  # noqa: B023 - used before the loop moves on
            lambda item: dcat_ap.literal(graph, item["node"], DCTERMS.identifier) or str(item["node"]),  # noqa: B023
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
