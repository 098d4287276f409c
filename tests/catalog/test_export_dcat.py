"""The DCAT-AP export read back by our own importer and harvester: export -> empty catalog ->
import -> the same datasets with the same fields. Also the paged endpoints (Hydra) and formats."""

from __future__ import annotations

import http.server
import threading
import warnings
from urllib.parse import urlsplit

import pytest
from rdflib import RDF, Graph, Namespace

from catalog.export.service import dcat_catalog_render, dcat_page_render
from catalog.harvest.service import harvest_run
from catalog.importers.dcat_ap import HYDRA
from catalog.models import Dataset, Distribution, HarvestSource
from catalog.services import catalog_import
from tests.catalog.export_readers import snapshot, wipe_catalog
from tests.catalog.exports_data import ROUNDTRIP_URL, hostile_dataset, research_dataset, rich_dataset, world_dataset
from tests.factories import DatasetFactory

pytestmark = pytest.mark.django_db
DCAT = Namespace("http://www.w3.org/ns/dcat#")  # an open namespace: pytest's collection probes module globals
SITE = "https://research.example"


def build_catalog() -> None:
    rich_dataset()
    world_dataset()
    research_dataset()
    hostile = hostile_dataset()
    # URLs as an importer or the admin keeps them; characters no IRI may hold are covered elsewhere.
    Dataset.objects.filter(pk=hostile.pk).update(landing_url=ROUNDTRIP_URL)
    Distribution.objects.filter(dataset=hostile).update(url=ROUNDTRIP_URL)
    DatasetFactory(title="Hidden", status=Dataset.Status.INACTIVE, external_id="hidden")


@pytest.mark.parametrize("fmt", ["ttl", "jsonld"])
def test_export_then_import_into_an_empty_catalog_gives_the_same_datasets(fmt, tmp_path):
    build_catalog()
    before = {k: v for k, v in snapshot().items() if v["status"] == "active"}
    assert len(before) == 4
    path = tmp_path / f"catalog.{fmt}"
    path.write_text(dcat_catalog_render(fmt=fmt, base_url=SITE), encoding="utf-8")
    wipe_catalog()
    report = catalog_import(path=path, notify_search=False)
    assert (report.created, report.skipped) == (4, 0), report.errors
    after = snapshot()
    for key in before:
        for name in before[key]:
            assert after[key][name] == before[key][name], (key, name)
    assert after == before
    again = catalog_import(path=path, notify_search=False)  # re-reading it changes nothing
    assert (again.created, again.updated) == (0, 0)


class _Pages(http.server.BaseHTTPRequestHandler):
    pages: dict[str, tuple[str, str]] = {}

    def log_message(self, *args):
        pass

    def do_GET(self):
        body, ctype = self.pages.get(self.path, ("not found", "text/plain"))
        code = 200 if self.path in self.pages else 404
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def test_the_paged_export_harvests_back_into_an_empty_catalog(settings):
    settings.HARVEST_MIN_INTERVAL_SECONDS = 0
    settings.DCAT_EXPORT_PAGE_SIZE = 2
    build_catalog()
    before = {k: v for k, v in snapshot(with_source=False).items() if v["status"] == "active"}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    # The pages as /catalog.ttl serves them, addressed at this server (Hydra links included).
    _Pages.pages = {
        f"/catalog.ttl?page={n}": (
            dcat_page_render(fmt="ttl", page=n, base_url=base, page_url_for=lambda p: f"{base}/catalog.ttl?page={p}"),
            "text/turtle; charset=utf-8",
        )
        for n in (1, 2)
    }
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        wipe_catalog()
        source = HarvestSource.objects.create(name="Our own catalog", type="dcat", url=f"{base}/catalog.ttl?page=1")
        run = harvest_run(source_id=source.pk)
    finally:
        server.shutdown()
        server.server_close()
    assert run is not None and run.status == "success" and run.pages == 2, run.errors
    assert (run.created, run.failed) == (4, 0)
    assert snapshot(with_source=False) == before  # one harvest source holds them all


def test_catalog_endpoints_page_with_hydra(client, settings):
    settings.DCAT_EXPORT_PAGE_SIZE = 3
    build_catalog()
    first = client.get("/catalog.ttl", HTTP_ACCEPT="text/turtle")
    assert first.status_code == 200 and first["Content-Type"] == "text/turtle; charset=utf-8"
    graph = Graph().parse(data=first.content.decode(), format="turtle")
    assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) == 3
    [next_page] = list(graph.objects(None, HYDRA.next))
    assert urlsplit(str(next_page)).path == "/catalog.ttl" and str(next_page).endswith("?page=2")
    second = client.get("/catalog.jsonld?page=2", HTTP_ACCEPT="application/ld+json")
    assert second.status_code == 200 and second["Content-Type"] == "application/ld+json; charset=utf-8"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        graph = Graph().parse(data=second.content.decode(), format="json-ld")
    assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) == 1  # 4 active datasets, 3 a page
    assert not list(graph.objects(None, HYDRA.next))
    assert client.get("/catalog.ttl?page=3").status_code == 404
    bad = client.get("/catalog.ttl?page=abc")
    assert (
        bad.status_code == 400 and "page" in bad.json()["errors"] if "errors" in bad.json() else bad.status_code == 400
    )
    assert client.get("/catalog.ttl?page=0").status_code == 400
