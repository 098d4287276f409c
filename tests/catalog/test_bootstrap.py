"""`manage.py bootstrap` and the demo fixture loader."""

from __future__ import annotations

import gzip
import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from catalog.demo import demo_fixture_load
from catalog.models import Dataset, Distribution, Publisher, Source, Tag
from catalog.services import catalog_import
from tests.factories import DatasetFactory

pytestmark = pytest.mark.django_db


def _wipe_catalog():
    Distribution.objects.all().delete()
    Dataset.objects.all().delete()
    Publisher.objects.all().delete()
    Tag.objects.all().delete()
    Source.objects.all().delete()


def _snapshot():
    return sorted(
        Dataset.objects.values_list(
            "pk", "source__slug", "external_id", "title", "publisher__name", "status", "content_hash", "quality_score"
        )
    )


@pytest.fixture
def small_fixture(catalog_data, tmp_path):
    """A fixture file dumped from the small test catalog, then the catalog emptied."""
    for path in ("datagovsg", "seed.csv", "corpus.jsonl"):
        catalog_import(path=catalog_data / path, notify_search=False)
    expected = _snapshot()
    tags = sorted(Dataset.tags.through.objects.values_list("dataset_id", "tag_id"))
    path = tmp_path / "small.json.gz"
    call_command("dumpdata", "catalog", output=str(path), verbosity=0)
    _wipe_catalog()
    return path, expected, tags


def test_loader_restores_the_dump_exactly(small_fixture):
    path, expected, tags = small_fixture
    assert demo_fixture_load(path=path) == len(expected)
    assert _snapshot() == expected
    assert sorted(Dataset.tags.through.objects.values_list("dataset_id", "tag_id")) == tags
    # sequences were moved past the loaded ids (PostgreSQL): new rows still insert
    assert DatasetFactory().pk > max(pk for pk, *_ in expected)


def test_bootstrap_loads_only_into_an_empty_catalog(small_fixture):
    path, expected, _ = small_fixture
    out = StringIO()
    call_command("bootstrap", "--fixture", str(path), "--skip-index", stdout=out)
    assert f"Loaded the demo catalog: {len(expected)} datasets" in out.getvalue()
    out = StringIO()
    call_command("bootstrap", "--fixture", str(path), "--skip-index", stdout=out)
    assert "demo catalog not loaded" in out.getvalue()
    assert Dataset.objects.count() == len(expected)


@pytest.mark.slow
def test_bootstrap_on_empty_database_loads_the_demo_catalog():
    call_command("bootstrap", "--skip-index", stdout=StringIO())
    with gzip.open(settings.DEMO_FIXTURE, "rt", encoding="utf-8") as fh:
        objects = json.load(fh)
    in_fixture = sum(1 for o in objects if o["model"] == "catalog.dataset")
    assert Dataset.objects.count() == in_fixture > 7000
    slugs = set(Source.objects.values_list("slug", flat=True))
    assert {"datagovsg", "paperswithcode", "worldbank", "lta-datamall"} <= slugs
    assert Source.objects.get(slug="datagovsg").country == "Singapore"
    assert Dataset.objects.filter(source__slug="datagovsg", status="inactive").count() >= 90  # junk rule
    assert Dataset.objects.filter(source__slug="paperswithcode").count() == 3294


@pytest.mark.slow
def test_bootstrap_builds_the_search_index(small_fixture):
    """The whole command: fixture, then search.services.index_ensure() (loads the embedding model)."""
    from search.services import index_health

    path, expected, _ = small_fixture
    out = StringIO()
    call_command("bootstrap", "--fixture", str(path), stdout=out)
    assert "Search index:" in out.getvalue()
    health = index_health()
    assert health["ready"], health
    assert health["active"] == Dataset.objects.active().count()


def test_bootstrap_with_a_missing_fixture_is_a_clear_error(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="catalog fixture not found"):
        call_command("bootstrap", "--fixture", str(tmp_path / "missing.json.gz"), "--skip-index")
    assert not Dataset.objects.exists()
