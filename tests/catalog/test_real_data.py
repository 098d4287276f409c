"""The real shared files: every demo source imports with 0 crashes, twice, in either order."""

from __future__ import annotations

import json

import pytest
from django.db.models import Count

from catalog.demo import demo_sources
from catalog.models import Dataset, Source
from catalog.services import catalog_import

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_all_sources_import_and_reimport_in_any_order(shared_dir):
    paths = demo_sources(shared_dir)
    first = [catalog_import(path=p, notify_search=False) for p in paths]
    assert all(r.skipped == 0 for r in first), [r.errors[:3] for r in first]
    datagovsg = json.loads((shared_dir / "data" / "datagovsg" / "datasets.json").read_text())
    corpus_lines = (shared_dir / "benchmarks" / "datafinder" / "corpus.jsonl").read_text().count("\n")
    overlap = 32  # seed CSV rows that are also in datasets.json
    assert Dataset.objects.count() == len(datagovsg) + 72 + 71 + corpus_lines - overlap
    # data.gov.sg JSON arrives after the CSV and takes over the shared ids
    assert first[2].updated == overlap
    # second pass, reversed order: nothing to write
    for path in reversed(paths):
        report = catalog_import(path=path, notify_search=False)
        assert (report.created, report.updated, report.skipped) == (0, 0, 0), report.summary()
    by_source = dict(Source.objects.annotate(n=Count("datasets")).values_list("slug", "n"))
    assert by_source["paperswithcode"] == corpus_lines
    assert by_source["worldbank"] == 50
    junk = Dataset.objects.filter(source__slug="datagovsg", status_reason__startswith="Junk rule:")
    assert 90 <= junk.count() <= 110
    assert not junk.filter(title__istartswith="NAPFA Test Centre").exists()
    assert Dataset.objects.filter(description="").exclude(source__slug="datagovsg").count() < 20


def test_singapore_seed_csv_alone(shared_dir):
    report = catalog_import(path=shared_dir / "data" / "seed_catalog" / "singapore_datasets.csv", notify_search=False)
    assert (report.created, report.skipped) == (72, 0)
    assert set(Source.objects.values_list("slug", "country")) == {
        ("datagovsg", "Singapore"),
        ("lta-datamall", "Singapore"),
        ("onemap", "Singapore"),
        ("singstat", "Singapore"),
    }
