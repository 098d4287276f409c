"""Each importer on small fixture files: mapping, per-record errors, format errors (no database)."""

from __future__ import annotations

from datetime import date

import pytest

from catalog.importers import ImportFormatError, detect_format, parse_file
from catalog.importers.base import parse_date, parse_datetime
from catalog.importers.datagovsg import junk_reason


def by_id(result):
    return {r.external_id: r for r in result.records}


def test_detect_format(catalog_data):
    assert detect_format(catalog_data / "datagovsg") == "datagovsg"
    assert detect_format(catalog_data / "datagovsg" / "datasets.json") == "datagovsg"
    assert detect_format(catalog_data / "seed.csv") == "csv"
    assert detect_format(catalog_data / "corpus.jsonl") == "datafinder"
    assert detect_format(catalog_data / "ckan_package_search.json") == "ckan"
    assert detect_format(catalog_data / "ckan_package_show.json") == "ckan"
    assert detect_format(catalog_data / "dcat_data.json") == "dcat"


def test_unknown_format_is_a_clear_error(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("just some text\n")
    with pytest.raises(ImportFormatError, match="notes.txt: unknown catalog format; pass --format"):
        parse_file(path)


def test_datagovsg_mapping_and_collection_inheritance(catalog_data):
    result = parse_file(catalog_data / "datagovsg" / "datasets.json")
    records = by_id(result)
    resale = records["d_resale"]
    assert resale.source.slug == "datagovsg" and resale.source.country == "Singapore"
    assert resale.title == "Resale Flat Prices"
    assert resale.publisher == "Housing and Development Board"
    assert resale.formats == ["CSV"]
    assert (resale.temporal_start, resale.temporal_end) == (date(2017, 1, 1), date(2024, 1, 31))
    assert resale.landing_url == "https://data.gov.sg/datasets/d_resale/view"
    assert resale.distributions[0].format == "CSV"
    assert resale.source_modified_at.isoformat() == "2024-02-22T07:11:10+00:00"
    # no description and no publisher of its own: both come from its collection
    births = records["d_births"]
    assert births.description.startswith("Live-births registered in Singapore")
    assert births.extra["description_source"] == "collection"
    assert births.publisher == "Singapore Department of Statistics"
    assert births.update_frequency == "annual"
    assert births.extra["collection"] == {"id": "189", "name": "Births and Fertility, Annual"}
    # a dataset outside any collection keeps an empty description
    assert records["d_parks"].description == ""


def test_datagovsg_bad_records_are_reported_and_skipped(catalog_data):
    result = parse_file(catalog_data / "datagovsg")
    errors = {e.ref: e.reason for e in result.errors}
    assert errors == {
        "d_noname": "missing name",
        "d_badtype": "wrong type for name: expected text, got int",
        "d_baddate": "unparsable date in lastUpdatedAt: 'sometime last week'",
    }
    assert len(result.records) == 7


def test_datagovsg_junk_rule_on_fixture(catalog_data):
    records = by_id(parse_file(catalog_data / "datagovsg"))
    inactive = {k: r.status_reason for k, r in records.items() if r.status == "inactive"}
    assert set(inactive) == {"d_e2e", "d_testds", "d_ogp"}
    assert all(reason.startswith("Junk rule:") for reason in inactive.values())
    assert records["d_napfa"].status == "active"  # "Test Centre" is a place


@pytest.mark.parametrize(
    ("name", "description", "publisher", "in_collection", "junk"),
    [
        ("E2E Test Resource 1691638366119", "", "", False, True),
        ("test-dataset-ryan-cover", "testing123", "Open Government Products", False, True),
        ("Test KML", "", "", False, True),
        ("Whitelisted drugs test", "", "Ministry of Health", False, True),
        ("yltest hello", "wheehoo", "", False, True),
        ("Staging-Test-BatchJob", "", "", False, True),
        ("aoeueaouaoeu", "", "", False, True),
        ("Untitled Dataset", "", "", False, True),
        ("5GB NRIC Dataset (k6)", "", "", False, True),
        ("Khant+1 Dataset", "Lorem Ipsum", "", False, True),
        ("Charities", "", "Open Government Products", False, True),
        ("NAPFA Test Centre", "", "", False, False),
        ("Latest Resale Prices", "", "", False, False),
        ("Parks", "", "National Parks Board", False, False),
        ("Charities", "", "Open Government Products", True, False),
        ("Contest Entries", "", "", None, False),
    ],
)
def test_junk_rule(name, description, publisher, in_collection, junk):
    reason = junk_reason(name=name, description=description, publisher=publisher, in_collection=in_collection)
    assert bool(reason) is junk, reason


def test_csv_mapping(catalog_data):
    result = parse_file(catalog_data / "seed.csv")
    records = by_id(result)
    assert records["d_resale"].source.slug == "datagovsg"
    assert records["d_resale"].extra["description_source"] == "generated"
    bus = records["lta_bus_arrival"]
    assert (bus.source.slug, bus.source.name, bus.source.country) == ("lta-datamall", "LTA DataMall", "Singapore")
    assert bus.tags == ["transport", "lta", "bus", "arrival"]
    assert bus.themes == ["transport"]
    assert bus.update_frequency == "Real-time"
    cpi = records["singstat_cpi"]
    assert cpi.publisher == "Singapore Department of Statistics"  # alias of "Department of Statistics Singapore"
    assert (cpi.temporal_start, cpi.temporal_end) == (date(1961, 1, 1), date(2024, 3, 31))
    wb = records["wb_SP.POP.TOTL"]
    assert (wb.source.slug, wb.source.kind, wb.source.country) == ("worldbank", "international", "")
    assert records["who_life"].source.slug == "who"


def test_csv_bad_rows_are_reported_with_their_line(catalog_data):
    result = parse_file(catalog_data / "seed.csv")
    assert [(e.ref, e.reason) for e in result.errors] == [
        ("line 7 (bad_date)", "unparsable date in last_updated: '31/12/2024'"),
        ("line 8 (no_title)", "missing title"),
    ]


def test_csv_with_a_missing_column_is_not_the_format(catalog_data):
    with pytest.raises(ImportFormatError) as exc:
        parse_file(catalog_data / "seed_missing_column.csv", "csv")
    assert str(exc.value) == "seed_missing_column.csv: not an original-catalog CSV: missing column(s) agency"


def test_truncated_json_is_not_the_format(catalog_data):
    with pytest.raises(ImportFormatError, match=r"truncated_datasets.json: not valid data.gov.sg datasets JSON"):
        parse_file(catalog_data / "truncated_datasets.json")


def test_datafinder_mapping(catalog_data):
    result = parse_file(catalog_data / "corpus.jsonl")
    records = by_id(result)
    assert set(records) == {"MuMu", "CNN/Daily Mail", "Fongbe  audio", "DIV2K"}
    mumu = records["MuMu"]
    assert mumu.source.slug == "paperswithcode" and mumu.source.kind == "research"
    assert mumu.description == "MuMu is a new dataset of more than 31k albums classified into 250 genre classes."
    assert mumu.extra["paper_url"] == "https://arxiv.org/pdf/1707.04916"
    assert mumu.extra["source_paper_title"].startswith("Multi-label Music Genre")
    cnn = records["CNN/Daily Mail"]
    assert "\u2028" in cnn.description  # a line separator inside a record does not split it
    assert cnn.extra["variants"] == ["CNN/DM"]
    assert cnn.extra["paper_url"] == "https://paperswithcode.com/paper/teaching-machines-to-read"
    assert [(e.ref, e.reason) for e in result.errors] == [
        ("line 4 (BadTitle)", "wrong type for name: expected text, got list"),
        ("line 5", "not valid JSON (Expecting value)"),
    ]


def test_datafinder_truncated_file_is_not_the_format(catalog_data):
    with pytest.raises(ImportFormatError, match="corpus_truncated.jsonl: not valid datafinder JSONL"):
        parse_file(catalog_data / "corpus_truncated.jsonl")


def test_ckan_package_search(catalog_data):
    result = parse_file(catalog_data / "ckan_package_search.json")
    records = by_id(result)
    budget = records["6f1a-uuid"]
    assert budget.source.slug == "data-example-gov" and budget.source.kind == "ckan"
    assert budget.title == "City Budget 2023"
    assert budget.publisher == "Finance Department"
    assert budget.tags == ["budget", "finance"]
    assert budget.themes == ["Government"]
    assert budget.formats == ["CSV", "JSON"]
    assert budget.landing_url == "https://data.example.gov/dataset/city-budget-2023"
    assert (budget.temporal_start, budget.temporal_end) == (date(2023, 1, 1), date(2023, 12, 31))
    assert budget.geographic_coverage == "Springfield"
    assert [d.url for d in budget.distributions][0].endswith("/budget.csv")
    assert records["7a2b-uuid"].status == "inactive"
    assert [(e.ref, e.reason) for e in result.errors] == [
        ("bad-dates", "unparsable date in metadata_modified: 'yesterday'")
    ]


def test_ckan_package_show_and_source_override(catalog_data):
    from catalog.importers import SourceData

    result = parse_file(catalog_data / "ckan_package_show.json", source=SourceData("city", "City portal", "", "ckan"))
    assert [(r.source.slug, r.external_id) for r in result.records] == [("city", "6f1a-uuid")]


def test_dcat(catalog_data):
    result = parse_file(catalog_data / "dcat_data.json")
    records = by_id(result)
    air = records["https://data.example.org/id/air-quality"]
    assert air.source.slug == "data-example-org" and air.source.kind == "dcat"
    assert air.publisher == "Environment Agency"
    assert air.tags == ["air quality", "pm2.5"]
    assert air.themes == ["Environment"]
    assert air.formats == ["CSV", "API"]
    assert air.update_frequency == "daily"
    assert (air.temporal_start, air.temporal_end) == (date(2019, 1, 1), date(2024, 2, 29))
    assert air.geographic_coverage == "Metro Area"
    assert records["restricted-1"].status == "inactive"
    assert [(e.ref, e.reason) for e in result.errors] == [
        ("bad-temporal", "unparsable date in temporal: 'last year'"),
        ("dataset 4", "missing identifier"),
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-01T00:00:00+08:00", date(2024, 3, 1)),
        ("2024-03-01", date(2024, 3, 1)),
        ("2024-03", date(2024, 3, 1)),
        ("2024", date(2024, 1, 1)),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(raw, expected):
    assert parse_date(raw, "d") == expected


@pytest.mark.parametrize("raw", ["31/12/2024", "2024-13-01", "soon", "2024-02-30"])
def test_parse_date_rejects(raw):
    from catalog.importers.base import RecordInvalid

    with pytest.raises(RecordInvalid, match="unparsable date in d"):
        parse_date(raw, "d")


def test_parse_datetime_naive_is_utc():
    assert parse_datetime("2023-01-05T10:00:00.123456", "t").isoformat() == "2023-01-05T10:00:00.123456+00:00"
    assert parse_datetime("2024-05-01", "t").isoformat() == "2024-05-01T00:00:00+00:00"
    assert parse_datetime("2024-05-01T08:00:00Z", "t").isoformat() == "2024-05-01T08:00:00+00:00"


def test_object_list_accepts_missing_and_rejects_wrong_shapes():
    from catalog.importers import base

    assert base.object_list(None, "resources") == []
    assert base.object_list([{"url": "x"}], "resources") == [{"url": "x"}]
    with pytest.raises(base.RecordInvalid, match="wrong type for resources: expected a list, got str"):
        base.object_list("http://x", "resources")
    with pytest.raises(base.RecordInvalid, match="wrong type in distribution: expected objects"):
        base.object_list([{"a": 1}, "b"], "distribution")
