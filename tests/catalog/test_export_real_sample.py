"""Every export of our own records read back by independent readers: BibTeX and RIS parsers, rdflib
for JSON-LD and DCAT-AP, the Data Package rules, Python's own parser for the snippets. Two samples:
the test files (tests/data/catalog: data.gov.sg, seed CSV, Papers with Code, CKAN, DCAT-US) and every
25th dataset of the shipped demo catalog (slow)."""

from __future__ import annotations

import ast
import json

import jsonschema
import pytest

from catalog.demo import demo_fixture_load
from catalog.export import citation, jsonld, snippets
from catalog.export.datapackage import datapackage
from catalog.export.service import dcat_catalog_render
from catalog.models import Dataset
from catalog.services import catalog_import
from tests.catalog.export_readers import DATA_PACKAGE_RULES, as_graph, bibtex_parse, ris_parse, snapshot, wipe_catalog

pytestmark = pytest.mark.django_db
BASE = "https://research.example"
FILES = ("datagovsg", "seed.csv", "corpus.jsonl", "ckan_package_search.json", "dcat_data.json")


def _active() -> list[Dataset]:
    return list(
        Dataset.objects.active().select_related("source", "publisher").prefetch_related("tags", "distributions")
    )


@pytest.fixture(params=["test files", pytest.param("demo catalog", marks=pytest.mark.slow)])
def sample(request, catalog_data):
    if request.param == "test files":
        for name in FILES:
            catalog_import(path=catalog_data / name, notify_search=False)
    else:
        demo_fixture_load()
        ids = list(Dataset.objects.order_by("pk").values_list("pk", flat=True))
        Dataset.objects.exclude(pk__in=ids[::25]).delete()
    datasets = _active()
    assert len(datasets) >= 10 and len({d.source.slug for d in datasets}) >= 4
    return datasets


def test_every_record_exports_to_valid_formats(sample):
    papers = 0
    for dataset in sample:
        entries = bibtex_parse(citation.bibtex(dataset, base_url=BASE))
        records = ris_parse(citation.ris(dataset, base_url=BASE))
        items = json.loads(citation.csl_json(dataset, base_url=BASE))
        assert len(entries) == len(records) == len(items) >= 1
        assert all(item["id"] and item["type"] in ("dataset", "article") for item in items)
        papers += len(items) - 1
        data = jsonld.dataset_jsonld(dataset, base_url=BASE)
        assert json.loads(jsonld.jsonld_script_text(data)) == data
        assert data["name"] and 50 <= len(data["description"]) <= 5000 and data["url"]
        assert as_graph(data)
        jsonschema.validate(datapackage(dataset, base_url=BASE), DATA_PACKAGE_RULES)
        for group in snippets.dataset_snippets(dataset):
            for snippet in group.snippets:
                if snippet.language == "python":
                    ast.parse(snippet.code)
    assert papers >= 1  # the Papers with Code records cite their papers


def test_the_sample_round_trips_through_dcat(sample, tmp_path):
    before = {k: v for k, v in snapshot().items() if v["status"] == "active"}
    path = tmp_path / "sample.ttl"
    path.write_text(dcat_catalog_render(fmt="ttl", base_url=BASE), encoding="utf-8")
    wipe_catalog()
    report = catalog_import(path=path, notify_search=False)
    assert report.skipped == 0, report.errors
    assert snapshot() == before
