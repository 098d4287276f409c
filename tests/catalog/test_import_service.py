"""catalog_import and `manage.py import_catalog`: upserts, idempotency, merge rule, errors."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.importers import ImportFormatError
from catalog.models import Dataset, Distribution, Publisher, Source, Tag
from catalog.services import catalog_import, dataset_status_set

pytestmark = pytest.mark.django_db


def counts(report):
    return (report.created, report.updated, report.unchanged, report.skipped)


def catalog_snapshot():
    return sorted(
        Dataset.objects.values_list(
            "source__slug", "external_id", "title", "description", "status", "content_hash", "quality_score"
        )
    )


def test_datagovsg_import_creates_everything(catalog_data):
    report = catalog_import(path=catalog_data / "datagovsg")
    assert counts(report) == (7, 0, 0, 3)
    source = Source.objects.get(slug="datagovsg")
    assert (source.name, source.kind, source.country) == ("data.gov.sg", "government", "Singapore")
    resale = Dataset.objects.get(source=source, external_id="d_resale")
    assert resale.publisher.name == "Housing and Development Board"
    assert resale.formats == ["CSV"]
    assert list(resale.distributions.values_list("format", flat=True)) == ["CSV"]
    assert len(resale.content_hash) == 64
    assert 0 < resale.quality_score <= 1
    assert resale.extra["import"]["origin"] == "datagovsg"
    junk = Dataset.objects.get(external_id="d_e2e")
    assert junk.status == Dataset.Status.INACTIVE
    assert junk.status_reason.startswith("Junk rule:")
    assert sorted(e.ref for e in report.errors) == ["d_baddate", "d_badtype", "d_noname"]


def test_reimport_changes_nothing(catalog_data, django_capture_on_commit_callbacks):
    for path in ("datagovsg", "seed.csv", "corpus.jsonl", "ckan_package_search.json", "dcat_data.json"):
        catalog_import(path=catalog_data / path)
    before = catalog_snapshot()
    for path in ("dcat_data.json", "ckan_package_show.json", "corpus.jsonl", "seed.csv", "datagovsg"):
        with django_capture_on_commit_callbacks() as callbacks:
            report = catalog_import(path=catalog_data / path)
        assert (report.created, report.updated) == (0, 0), path
        assert callbacks == [], "nothing changed, so search is not told anything"
    assert catalog_snapshot() == before


@pytest.mark.parametrize("order", [("seed.csv", "datagovsg"), ("datagovsg", "seed.csv")])
def test_richer_origin_wins_whatever_the_order(catalog_data, order):
    """d_resale is in both the seed CSV and datasets.json: the portal JSON owns it."""
    for path in order:
        catalog_import(path=catalog_data / path)
    resale = Dataset.objects.get(source__slug="datagovsg", external_id="d_resale")
    assert resale.title == "Resale Flat Prices"
    assert resale.extra["import"]["origin"] == "datagovsg"
    for path in order:
        report = catalog_import(path=catalog_data / path)
        assert (report.created, report.updated) == (0, 0)
    csv_report = catalog_import(path=catalog_data / "seed.csv")
    assert csv_report.superseded == 1
    assert "1 kept from a richer source" in csv_report.summary()


def test_changed_record_is_updated(catalog_data, tmp_path, django_capture_on_commit_callbacks):
    catalog_import(path=catalog_data / "seed.csv")
    bus = Dataset.objects.get(external_id="lta_bus_arrival")
    old_hash = bus.content_hash
    text = (catalog_data / "seed.csv").read_text().replace("Bus Arrival,", "Bus Arrival Times,")
    changed = tmp_path / "seed.csv"
    changed.write_text(text)
    with django_capture_on_commit_callbacks() as callbacks:
        report = catalog_import(path=changed)
    assert counts(report) == (0, 1, 4, 2)
    assert report.changed_ids == [bus.pk]
    assert len(callbacks) == 1  # search.services.datasets_changed queued its work on commit
    bus.refresh_from_db()
    assert bus.title == "Bus Arrival Times"
    assert bus.content_hash != old_hash
    assert sorted(bus.tags.values_list("name", flat=True)) == ["arrival", "bus", "lta", "transport"]
    assert bus.distributions.count() == 1


def test_curator_status_survives_reimport(catalog_data, tmp_path):
    catalog_import(path=catalog_data / "seed.csv")
    bus = Dataset.objects.get(external_id="lta_bus_arrival")
    dataset_status_set(dataset_ids=[bus.pk], status=Dataset.Status.INACTIVE, reason="duplicate of another feed")
    changed = tmp_path / "seed.csv"
    changed.write_text((catalog_data / "seed.csv").read_text().replace("Bus Arrival,", "Bus Arrival v2,"))
    catalog_import(path=changed)
    bus.refresh_from_db()
    assert bus.title == "Bus Arrival v2"
    assert (bus.status, bus.status_reason) == (Dataset.Status.INACTIVE, "duplicate of another feed")


def test_publishers_and_tags_are_shared(catalog_data):
    catalog_import(path=catalog_data / "seed.csv")
    catalog_import(path=catalog_data / "datagovsg")
    assert Publisher.objects.filter(name="Singapore Department of Statistics").count() == 1
    assert not Publisher.objects.filter(name="Department of Statistics Singapore").exists()
    assert Tag.objects.filter(name="transport").count() == 1
    assert Dataset.objects.filter(publisher__name="Land Transport Authority").count() == 1


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("truncated_datasets.json", "truncated_datasets.json: not valid data.gov.sg datasets JSON"),
        ("seed_missing_column.csv", "missing column(s) agency"),
        ("corpus_truncated.jsonl", "corpus_truncated.jsonl: not valid datafinder JSONL"),
    ],
)
def test_format_error_leaves_database_unchanged(catalog_data, path, message):
    catalog_import(path=catalog_data / "seed.csv")
    before = (catalog_snapshot(), Distribution.objects.count(), Publisher.objects.count())
    with pytest.raises(ImportFormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        catalog_import(path=catalog_data / path)
    assert (catalog_snapshot(), Distribution.objects.count(), Publisher.objects.count()) == before


def test_command_prints_counts_and_skipped_records(catalog_data):
    out = StringIO()
    call_command("import_catalog", str(catalog_data / "seed.csv"), "--no-progress", stdout=out)
    text = out.getvalue()
    assert "[csv]: 5 created, 0 updated, 0 unchanged, 2 skipped" in text
    assert "skipped line 7 (bad_date): unparsable date in last_updated: '31/12/2024'" in text
    assert "skipped line 8 (no_title): missing title" in text


def test_command_format_error_is_one_line_and_fails(catalog_data):
    with pytest.raises(CommandError) as exc:
        call_command("import_catalog", str(catalog_data / "truncated_datasets.json"), "--no-progress")
    assert "\n" not in str(exc.value)
    assert str(exc.value).startswith("truncated_datasets.json: not valid data.gov.sg datasets JSON")
    assert not Dataset.objects.exists()


def test_command_explicit_format_and_missing_file(catalog_data, tmp_path):
    out = StringIO()
    call_command(
        "import_catalog", str(catalog_data / "dcat_data.json"), "--format", "dcat", "--no-progress", stdout=out
    )
    assert "[dcat]: 2 created" in out.getvalue()
    with pytest.raises(CommandError, match="no such file or directory"):
        call_command("import_catalog", str(tmp_path / "nope.json"), "--no-progress")
    with pytest.raises(CommandError, match="not valid CKAN JSON"):
        call_command("import_catalog", str(catalog_data / "truncated_datasets.json"), "--format", "ckan")


def test_command_source_option_for_ckan(catalog_data):
    call_command(
        "import_catalog",
        str(catalog_data / "ckan_package_show.json"),
        "--source",
        "springfield",
        "--no-progress",
        stdout=StringIO(),
    )
    assert Dataset.objects.get(external_id="6f1a-uuid").source.slug == "springfield"
    assert Source.objects.get(slug="springfield").kind == "ckan"


def test_progress_bar_does_not_break_the_import(catalog_data, capsys):
    report = catalog_import(path=catalog_data / "corpus.jsonl", progress=True)
    assert report.created == 4


def test_update_keeps_unchanged_distributions_and_their_link_health(catalog_data, tmp_path):
    catalog_import(path=catalog_data / "seed.csv")
    bus = Dataset.objects.get(external_id="lta_bus_arrival")
    cpi = Dataset.objects.get(external_id="singstat_cpi")
    bus.distributions.update(link_status="ok", link_http_code=200)
    cpi.distributions.update(link_status="broken", link_http_code=404)
    text = (catalog_data / "seed.csv").read_text()
    text = text.replace("Bus Arrival,", "Bus Arrival Times,").replace(
        "https://tablebuilder.singstat.gov.sg", "https://tablebuilder.singstat.gov.sg/table/CPI"
    )
    changed = tmp_path / "seed.csv"
    changed.write_text(text)
    report = catalog_import(path=changed)
    assert report.updated == 2
    bus_dist = bus.distributions.get()
    assert (bus_dist.title, bus_dist.link_status, bus_dist.link_http_code) == ("Bus Arrival Times", "unknown", None)
    cpi_dist = cpi.distributions.get()
    assert cpi_dist.url == "https://tablebuilder.singstat.gov.sg/table/CPI"
    assert cpi_dist.link_status == "unknown"
    # a dataset whose distribution did not change keeps the checked row
    wb = Dataset.objects.get(external_id="wb_SP.POP.TOTL")
    wb.distributions.update(link_status="ok", link_http_code=200)
    text = changed.read_text().replace("Total population is based", "Total population counts")
    changed.write_text(text)
    catalog_import(path=changed)
    assert wb.distributions.get().link_status == "ok"
