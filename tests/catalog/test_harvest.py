"""Harvest runs against a local portal speaking CKAN, data.gov.sg v2, DCAT-AP and CSV (harvest_portal.py)."""

from __future__ import annotations

import copy
import json
import time

import pytest

from catalog.harvest.http import retry_after_seconds
from catalog.harvest.service import harvest_run
from catalog.models import Dataset, HarvestRun, HarvestSource

from .harvest_portal import Portal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_polite_client(settings):
    settings.HARVEST_MIN_INTERVAL_SECONDS = 0
    settings.HARVEST_BACKOFF_SECONDS = 0.01
    settings.HARVEST_RETRIES = 3
    settings.HARVEST_TIMEOUT_SECONDS = 0.5


@pytest.fixture
def portal():
    server = Portal()
    yield server
    server.close()


def make_source(portal: Portal, type_: str, path: str = "", name: str = "", **config) -> HarvestSource:
    return HarvestSource.objects.create(name=name or f"Test {type_}", type=type_, url=portal.base + path, config=config)


def harvest(source: HarvestSource, **kw) -> HarvestRun:
    run = harvest_run(source_id=source.pk, **kw)
    assert run is not None
    return run


def counts(run: HarvestRun) -> tuple[int, int, int, int, int]:
    return run.created, run.updated, run.unchanged, run.withdrawn, run.failed


def datasets(source: HarvestSource):
    source.refresh_from_db()
    return Dataset.objects.filter(source=source.source)


# ---- CKAN ------------------------------------------------------------------------------------


def test_ckan_pages_through_package_search_and_reports_counts(portal):
    source = make_source(portal, "ckan", rows=2)
    run = harvest(source)
    assert run.status == "success" and counts(run) == (5, 0, 0, 0, 0) and run.pages == 3
    starts = portal.paths("package_search")
    assert len(starts) == 3 and "start=4" in starts[-1] and all("rows=2" in p for p in starts)
    rain = datasets(source).get(external_id="00000001-5c1e-4f2a-9b8e-0a1b2c3d4e5f")
    assert rain.title == "Daily Rainfall - Sydney Observatory Hill"
    assert rain.publisher.name == "Bureau of Meteorology"
    assert rain.landing_url == f"{portal.base}/dataset/daily-rainfall-sydney"
    assert str(rain.temporal_start) == "1858-07-01" and rain.formats == ["CSV"]
    source.refresh_from_db()
    assert source.last_status == "success" and source.last_full_run_at is not None
    assert source.modified_since.isoformat().startswith("2024-05-05T12:45")


def test_ckan_page_size_is_capped(portal, settings):
    settings.HARVEST_MAX_PAGE_SIZE = 4
    run = harvest(make_source(portal, "ckan", rows=5000))
    assert run.created == 5 and all("rows=4" in p for p in portal.paths("package_search"))


def test_a_second_run_writes_nothing(portal):
    source = make_source(portal, "ckan", rows=2)
    harvest(source)
    before = dict(datasets(source).values_list("pk", "updated_at"))
    run = harvest(source, full=True)
    assert run.status == "success" and counts(run) == (0, 0, 5, 0, 0)
    assert dict(datasets(source).values_list("pk", "updated_at")) == before


def test_ckan_incremental_run_asks_only_for_packages_modified_since_the_last(portal):
    source = make_source(portal, "ckan", rows=2)
    harvest(source)
    portal.state.ckan_packages[1].update(
        title="Air Quality Index - NSW (revised)", metadata_modified="2024-06-01T00:00:00"
    )
    new = copy.deepcopy(portal.state.ckan_packages[0])
    new.update(
        id="0000000a-new", name="uv-index-sydney", title="UV Index - Sydney", metadata_modified="2024-06-02T00:00:00"
    )
    portal.state.ckan_packages.append(new)
    portal.state.requests.clear()
    run = harvest(source)
    assert run.incremental and run.status == "success"
    # The changed and the new package, plus the one on the watermark itself (inclusive bound).
    assert counts(run) == (1, 1, 1, 0, 0)
    assert all("metadata_modified%3A%5B2024-05-05T12%3A45%3A00" in p for p in portal.paths("package_search"))
    assert datasets(source).get(external_id=portal.state.ckan_packages[1]["id"]).title.endswith("(revised)")
    source.refresh_from_db()
    assert source.modified_since.isoformat().startswith("2024-06-02")


def test_a_dataset_gone_from_a_complete_listing_is_withdrawn_kept_and_comes_back(portal):
    source = make_source(portal, "ckan", rows=2)
    harvest(source)
    gone = portal.state.ckan_packages.pop(2)
    run = harvest(source, full=True)
    assert run.status == "success" and counts(run) == (0, 0, 4, 1, 0)
    dataset = datasets(source).get(external_id=gone["id"])
    assert dataset.status == "inactive" and dataset.status_reason.startswith("Withdrawn: no longer listed")
    assert dataset.extra["withdrawn"]["run"] == run.pk and dataset.extra["withdrawn"]["at"]
    assert not Dataset.objects.active().filter(pk=dataset.pk).exists()
    assert harvest(source, full=True).withdrawn == 0  # already withdrawn: not counted again
    portal.state.ckan_packages.append(gone)
    back = harvest(source, full=True)
    assert counts(back) == (0, 1, 4, 0, 0)
    dataset.refresh_from_db()
    assert dataset.status == "active" and dataset.status_reason == "" and "withdrawn" not in dataset.extra


def test_an_incremental_run_never_withdraws(portal):
    source = make_source(portal, "ckan", rows=2)
    harvest(source)
    portal.state.ckan_packages.pop(0)
    run = harvest(source)
    assert run.incremental and run.withdrawn == 0
    assert datasets(source).active().count() == 5


def test_a_500_mid_run_is_retried(portal):
    portal.fail("start=2", "500")
    run = harvest(make_source(portal, "ckan", rows=2))
    assert run.status == "success" and counts(run) == (5, 0, 0, 0, 0) and run.errors == []
    assert len(portal.paths("start=2")) == 2


def test_a_page_that_keeps_failing_is_recorded_and_the_run_goes_on(portal):
    source = make_source(portal, "ckan", rows=2)
    harvest(source)
    watermark = HarvestSource.objects.get(pk=source.pk).modified_since
    portal.state.ckan_packages.pop(0)  # a complete listing would withdraw it
    portal.state.ckan_packages[0]["title"] = "Air Quality Index - NSW (v2)"
    portal.fail("start=2", "500", times=99)
    run = harvest(source, full=True)
    assert run.status == "partial" and run.withdrawn == 0 and run.pages == 2
    assert run.errors[0][0] == "start=2" and "HTTP 500" in run.errors[0][1] and "3 tries" in run.errors[0][1]
    assert run.updated == 1 and "nothing withdrawn" in run.notes
    assert datasets(source).active().count() == 5
    source.refresh_from_db()
    assert source.last_status == "partial" and source.modified_since == watermark


def test_malformed_json_fails_one_page_and_nothing_is_lost(portal):
    source = make_source(portal, "ckan", rows=2)
    portal.fail("start=2", "malformed")
    run = harvest(source)
    assert run.status == "partial" and counts(run) == (3, 0, 0, 0, 0)
    assert run.errors[0][0] == "start=2" and "malformed JSON" in run.errors[0][1]
    rerun = harvest(source)
    assert rerun.status == "success" and counts(rerun) == (2, 0, 3, 0, 0)
    assert datasets(source).count() == 5


def test_a_timeout_is_retried_and_a_lasting_one_fails_the_run(portal):
    source = make_source(portal, "ckan", rows=2)
    portal.fail("start=0", "stall")
    run = harvest(source)
    assert run.status == "success" and run.created == 5
    portal.fail("start=0", "stall", times=3)
    failed = harvest(source, full=True)
    assert failed.status == "failed" and "timed out" in failed.errors[0][1]
    assert datasets(source).active().count() == 5


def test_429_is_retried_after_retry_after(portal):
    portal.fail("package_search", "429")
    started = time.monotonic()
    run = harvest(make_source(portal, "ckan"))
    assert run.status == "success" and run.created == 5
    assert time.monotonic() - started >= 1.0  # Retry-After: 1, not the 0.01 s backoff


def test_a_bad_record_is_reported_with_its_id_and_never_withdrawn(portal):
    source = make_source(portal, "ckan", rows=2)
    harvest(source)
    bad = portal.state.ckan_packages[3]
    bad["metadata_modified"] = "last tuesday"
    run = harvest(source, full=True)
    assert run.status == "success" and counts(run) == (0, 0, 4, 0, 1)
    assert run.errors == [[bad["id"], "unparsable date in metadata_modified: 'last tuesday'"]]
    assert datasets(source).get(external_id=bad["id"]).status == "active"


def test_a_ckan_error_answer_is_a_failed_page(portal):
    portal.fail("start=0", "ckan_error")
    run = harvest(make_source(portal, "ckan", rows=2))
    assert run.status == "failed" and run.errors[0][1].startswith("CKAN reported an error: {'__type': 'Search Query")
    assert harvest(make_source(portal, "ckan", "/api/3/action/package_search", name="Full URL", rows=2)).created == 5


# ---- data.gov.sg v2 --------------------------------------------------------------------------


def test_datagovsg_pages_and_collections(portal):
    source = make_source(portal, "datagovsg")
    run = harvest(source)
    assert run.status == "success" and counts(run) == (5, 0, 0, 0, 0)
    assert portal.paths("/v2/public/api/datasets?page=2")
    rain = datasets(source).get(external_id="d_11e68bba3b3c76733475a72d09759eeb")
    assert rain.description.startswith("Monthly total rainfall") and rain.extra["description_source"] == "collection"
    assert rain.update_frequency == "monthly"
    assert rain.landing_url == "https://data.gov.sg/datasets/d_11e68bba3b3c76733475a72d09759eeb/view"
    assert harvest(source).unchanged == 5


def test_datagovsg_withdraws_what_the_listing_lost(portal):
    source = make_source(portal, "datagovsg")
    harvest(source)
    portal.state.dgs_datasets.pop()
    run = harvest(source)
    assert counts(run) == (0, 0, 4, 1, 0)


def test_datagovsg_metadata_only_for_new_or_changed_datasets(portal):
    source = make_source(portal, "datagovsg", metadata=True)
    run = harvest(source)
    assert counts(run) == (5, 0, 0, 0, 0) and len(portal.paths("/metadata")) == 5
    lpg = datasets(source).get(external_id="d_a250212cdfe48c8f6ea824dec0545f34")
    assert lpg.description.startswith("Source: SINGAPORE DEPARTMENT OF STATISTICS")
    # The portal's column metadata is kept for column search.
    assert lpg.extra["columns"] == [
        {"name": "quarter", "title": "Quarter", "type": "text"},
        {"name": "sales", "title": "Sales", "type": "numeric", "unit": "Tonnes"},
    ]
    portal.state.requests.clear()
    portal.state.dgs_datasets[0]["lastUpdatedAt"] = "2024-07-01T09:00:00+08:00"
    portal.fail("d_3d227e5d9fdec73f3bcadce671c333a6/metadata", "500", times=99)
    portal.state.dgs_datasets[2]["lastUpdatedAt"] = "2024-07-02T09:00:00+08:00"
    again = harvest(source)
    # Only the two changed datasets were asked for; the one whose metadata fails is an error, not withdrawn.
    assert counts(again) == (0, 1, 3, 0, 1) and again.status == "success"
    assert len(portal.paths("/metadata")) == 1 + 3  # one answer, one failing three times
    assert again.errors[0][0] == "d_3d227e5d9fdec73f3bcadce671c333a6" and "metadata not fetched" in again.errors[0][1]
    assert datasets(source).active().count() == 5


def test_a_page_of_10000_records(portal):
    template = portal.state.dgs_datasets[1]
    portal.state.dgs_datasets = [
        dict(template, datasetId=f"d_{i:032x}", name=f"Liquefied Petroleum Gas Sales, Quarterly, series {i}")
        for i in range(10_000)
    ]
    portal.state.dgs_page_size = 10_000
    source = make_source(portal, "datagovsg", collections=False)
    run = harvest(source)
    assert run.status == "success" and run.pages == 1 and counts(run) == (10_000, 0, 0, 0, 0)
    assert datasets(source).count() == 10_000
    assert counts(harvest(source)) == (0, 0, 10_000, 0, 0)


# ---- DCAT-AP ---------------------------------------------------------------------------------


def test_dcat_jsonld_and_turtle_pages(portal):
    source = make_source(portal, "dcat", "/dcat/catalog")
    run = harvest(source)
    assert run.status == "success" and run.pages == 2 and counts(run) == (3, 0, 0, 0, 0), run.errors
    air = datasets(source).get(external_id="air-quality-berlin")
    assert air.title == "Air quality measurements Berlin"
    assert air.publisher.name == "Senatsverwaltung für Umwelt, Berlin"
    assert air.themes == ["ENVI"] and air.formats == ["CSV"] and air.update_frequency == "daily"
    assert str(air.temporal_start) == "2015-01-01" and air.geographic_coverage == "Berlin"
    assert [d.url for d in air.distributions.all()] == ["https://luftdaten.berlin.de/download/air-quality.csv"]
    paris = datasets(source).get(external_id="noise-map-paris")
    assert paris.title == "Strategic noise map Paris" and paris.formats == ["GEOJSON"]
    assert paris.publisher.name == "Ville de Paris" and str(paris.temporal_end) == "2022-12-31"
    assert harvest(source).unchanged == 3


def test_dcat_remote_jsonld_context_is_fetched_through_the_harvest_client(portal, settings):
    page1 = json.loads(portal.state.dcat_page1)
    page1["@context"] = [f"{portal.base}/contexts/dcat.jsonld", {"ex": "https://example.org/"}]
    portal.state.dcat_page1 = json.dumps(page1)
    run = harvest(make_source(portal, "dcat", "/dcat/catalog"))
    assert run.status == "success" and run.created == 3
    asked = [headers for path, headers in portal.state.requests if path == "/contexts/dcat.jsonld"]
    assert len(asked) == 1 and asked[0]["User-Agent"] == settings.HARVEST_USER_AGENT  # not rdflib's urllib


def test_dcat_unreadable_page_ends_the_walk_without_withdrawing(portal):
    source = make_source(portal, "dcat", "/dcat/catalog")
    harvest(source)
    portal.state.dcat_page2 = "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n<a> dcat:title 'unterminated ."
    run = harvest(source)
    assert run.status == "partial" and run.withdrawn == 0 and "malformed RDF" in run.errors[0][1]
    assert datasets(source).active().count() == 3


def test_dcat_single_document_is_fetched_conditionally(portal):
    single = portal.state.dcat_page1.replace('"hydra:nextPage": "NEXT_PAGE_URL",', "")
    portal.state.dcat_page1 = single.replace('"hydra:lastPage": "NEXT_PAGE_URL"', '"hydra:itemsPerPage": 2')
    source = make_source(portal, "dcat", "/dcat/catalog")
    assert harvest(source).created == 2
    source.refresh_from_db()
    assert source.etag
    run = harvest(source)
    assert run.status == "not_modified" and run.unchanged == 2 and run.withdrawn == 0
    assert portal.state.requests[-1][1].get("If-None-Match") == source.etag


# ---- CSV -------------------------------------------------------------------------------------


def test_csv_file_with_etag(portal):
    source = make_source(portal, "csv", "/files/catalog.csv")
    run = harvest(source)
    assert run.status == "success" and counts(run) == (3, 0, 0, 0, 0)
    assert {d.source.slug for d in datasets(source)} == {source.source.slug}
    assert harvest(source).status == "not_modified"
    portal.state.csv = portal.state.csv.replace("Annual percentage growth", "Yearly percentage growth")
    changed = harvest(source)
    assert changed.status == "success" and counts(changed) == (0, 1, 2, 0, 0)


def test_a_redirect_to_another_host_is_followed_only_when_allowed(portal):
    other = Portal(host="localhost")
    try:
        portal.fail("/files/catalog.csv", f"redirect:{other.base}/files/catalog.csv", times=2)
        source = make_source(portal, "csv", "/files/catalog.csv")
        refused = harvest(source)
        assert refused.status == "failed" and "redirect to another host refused" in refused.errors[0][1]
        assert datasets(source).count() == 0 and not other.paths()
        source.config = {"allow_cross_host_redirects": True}
        source.save()
        run = harvest(source)
        assert run.status == "success" and run.created == 3 and other.paths("/files/catalog.csv")
    finally:
        other.close()


def test_one_run_at_a_time(portal):
    from django.core.cache import cache

    source = make_source(portal, "csv", "/files/catalog.csv")
    cache.add(f"catalog:harvest:lock:{source.pk}", 1)
    assert harvest_run(source_id=source.pk) is None
    assert harvest_run(source_id=999_999) is None


def test_retry_after_header_forms():
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
