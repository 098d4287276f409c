"""Data previews against a local file server (preview_server.py): real files in every previewed format,
hostile ones, and data.gov.sg's download API. Each hostile file ends as "unavailable: <reason>" within the
caps (tests/settings.py: a 3 s deadline)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.conf import settings
from django.utils import timezone

from catalog.models import Distribution, DistributionPreview
from catalog.previews import (
    column_key,
    column_names_by_dataset,
    columns_for,
    preview_refresh,
    previews_due,
    previews_queue,
)
from tests.factories import DatasetFactory, DistributionFactory

from .preview_server import PreviewServer

pytestmark = pytest.mark.django_db
RESALE_COLUMNS = ["month", "town", "flat_type", "floor_area_sqm", "resale_price", "postalCode"]


@pytest.fixture(scope="module")
def files():
    server = PreviewServer(drip_seconds=0.2, stall_seconds=6.0)
    yield server
    server.close()


def preview_of(url: str, fmt: str = "CSV", **dataset) -> DistributionPreview:
    distribution = DistributionFactory(dataset=DatasetFactory(**dataset), format=fmt, url=url)
    preview = preview_refresh(distribution_id=distribution.pk)
    assert preview is not None
    return preview


@pytest.mark.parametrize(
    ("path", "fmt", "kind"),
    [
        ("/files/resale.csv", "CSV", "CSV"),
        ("/files/resale.tsv", "TSV", "TSV"),
        ("/files/resale.json", "JSON", "JSON"),
        ("/files/resale.xlsx", "XLSX", "XLSX"),
        ("/files/resale.parquet", "PARQUET", "PARQUET"),
        ("/files/resale.csv.gz", "CSV", "CSV"),
        ("/gzip/resale.csv", "CSV", "CSV"),  # Content-Encoding: gzip
        ("/files/resale.csv", "", "CSV"),  # no declared format: the URL's extension says CSV
    ],
)
def test_tabular_files_give_rows_columns_and_profile(files, path, fmt, kind):
    preview = preview_of(files.url(path), fmt)
    assert preview.status == "ready", preview.reason
    assert preview.file_format == kind
    assert [c["name"] for c in preview.columns] == RESALE_COLUMNS
    assert preview.row_count == 5 and preview.rows_profiled == 5 and len(preview.rows) == 5
    assert preview.rows[0][:3] == ["2017-01", "ANG MO KIO", "2 ROOM"]
    by_name = {c["name"]: c for c in preview.columns}
    assert by_name["town"]["type"] == "string"
    assert by_name["resale_price"]["type"] in ("integer", "number")
    assert (by_name["resale_price"]["min"], by_name["resale_price"]["max"]) == (232000, 510000)
    assert by_name["town"]["distinct"] == 3
    assert by_name["town"]["values"] == [["ANG MO KIO", 2], ["BEDOK", 2], ["TAMPINES", 1]]
    assert by_name["postalCode"]["nulls"] == (0 if kind == "JSON" else 1)  # JSON keeps ""
    assert preview.checksum and preview.fetched_at and preview.source_url == files.url(path)


def test_geojson_previews_feature_properties(files):
    preview = preview_of(files.url("/files/parks.geojson"), "GEOJSON")
    assert preview.status == "ready", preview.reason
    assert preview.file_format == "GEOJSON"
    assert [c["name"] for c in preview.columns] == ["Name", "postal_code", "area_ha"]
    assert preview.row_count == 7 and preview.rows[0][0] == "Park 1"


def test_xlsx_reads_the_first_sheet_and_says_so(files):
    preview = preview_of(files.url("/files/resale.xlsx"), "XLSX")
    assert preview.notes == ["First sheet “Resale” of 2."]


@pytest.mark.parametrize(
    ("path", "encoding", "note"),
    [
        ("/files/latin1.csv", "cp1252", "Decoded as Windows-1252 (Latin-1) (the server said utf-8)."),
        ("/files/utf16.csv", "utf-16", "Decoded as UTF-16."),
    ],
)
def test_wrong_encodings_are_decoded_with_a_fallback_and_said(files, path, encoding, note):
    preview = preview_of(files.url(path))
    assert preview.status == "ready", preview.reason
    assert preview.encoding == encoding and preview.notes == [note]
    assert preview.rows[0] in (["José", "Café Street"], ["李", "Ang Mo Kio"])


HOSTILE = [
    ("/long-line.csv", "no complete line in the first 20 MB"),  # one 50 MB line
    ("/files/html-as.csv", "web page (HTML)"),  # HTML served as text/csv
    ("/files/page.csv", "web page (text/html)"),
    ("/files/binary.csv", "binary content"),
    ("/files/empty.csv", "the file is empty"),
    ("/files/truncated.xlsx", "damaged ZIP or Excel"),
    ("/files/object.json", "not a list of records"),
    ("/bomb.csv", "decompression bomb"),  # Content-Encoding: gzip, 1 GiB inside
    ("/bomb.csv.gz", "decompression bomb"),
    ("/drip.csv", "took longer than 3 s"),  # a byte every 0.2 s: each read is quick, the whole is not
    ("/stall.csv", "did not answer within 2 s"),  # silent past the per-read timeout
    ("/loop", "redirects in a loop"),
    ("/loop-a", "redirects in a loop"),
    ("/missing.csv", "answered HTTP 404"),
]


@pytest.mark.parametrize(("path", "reason"), HOSTILE)
def test_hostile_files_end_unavailable_with_a_reason_within_the_caps(files, path, reason):
    started = time.monotonic()
    preview = preview_of(files.url(path))
    assert preview.status == "unavailable"
    assert reason in preview.reason
    assert preview.rows == [] and preview.columns == []
    assert time.monotonic() - started < settings.PREVIEW_DEADLINE_SECONDS + 2


def test_a_closed_port_is_unavailable(files):
    preview = preview_of("http://127.0.0.1:9/data.csv")
    assert preview.status == "unavailable" and "could not be reached" in preview.reason


def test_big_csv_is_previewed_from_its_first_part(files, settings):
    settings.PREVIEW_MAX_BYTES = 150  # the resale file is 268 bytes: cut inside the third data row
    preview = preview_of(files.url("/files/resale.csv"))
    assert preview.status == "ready" and preview.truncated
    assert preview.row_count is None and preview.rows_profiled == len(preview.rows) == 2
    assert "Only the first" in preview.notes[-1]


def test_datagovsg_download_flow_gives_the_signed_file(files):
    files.polls_before_ready = 2
    url = files.url("/v1/public/api/datasets/resale.csv/initiate-download")
    preview = preview_of(url)
    assert preview.status == "ready", preview.reason
    assert [c["name"] for c in preview.columns] == RESALE_COLUMNS
    assert files.hits["/v1/public/api/datasets/resale.csv/initiate-download"] >= 1
    assert files.polls["resale.csv"] == 3  # two "in progress", then the file
    # The signed URL's credentials are not kept.
    assert preview.file_url == files.url("/signed/resale.csv") and "Signature" not in preview.file_url


def test_datagovsg_error_is_the_reason(files):
    preview = preview_of(files.url("/v1/public/api/datasets/d_nope/initiate-download"))
    assert preview.status == "unavailable" and preview.reason == "data.gov.sg: Dataset not found"


def test_refresh_is_idempotent_and_follows_changes(files, django_capture_on_commit_callbacks):
    def queue() -> list[int]:
        with django_capture_on_commit_callbacks(execute=True):  # queued on commit; eager: made at once
            return previews_queue(dataset_ids=[dataset.pk])

    dataset = DatasetFactory(source_modified_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    distribution = DistributionFactory(dataset=dataset, url=files.url("/files/resale.csv"))
    assert queue() == [distribution.pk]
    assert DistributionPreview.objects.get(distribution=distribution).status == "ready"
    hits = files.hits["/files/resale.csv"]
    assert queue() == []  # current: nothing to do
    preview_refresh(distribution_id=distribution.pk)
    assert files.hits["/files/resale.csv"] == hits  # a second run leaves a current preview alone

    distribution.url = files.url("/files/latin1.csv")
    distribution.save()
    assert queue() == [distribution.pk]  # the URL changed
    preview = DistributionPreview.objects.get(distribution=distribution)
    assert [c["name"] for c in preview.columns] == ["name", "town"]

    dataset.source_modified_at = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
    dataset.save()
    assert queue() == [distribution.pk]  # the dataset was modified
    assert DistributionPreview.objects.get(distribution=distribution).source_modified == dataset.source_modified_at


def test_only_tabular_http_distributions_are_queued(files):
    dataset = DatasetFactory()
    DistributionFactory(dataset=dataset, format="PDF", url=files.url("/files/report.pdf"))
    DistributionFactory(dataset=dataset, format="CSV", url="ftp://example.org/data.csv")
    DistributionFactory(dataset=dataset, format="", url=files.url("/files/readme.txt"))
    assert previews_queue(dataset_ids=[dataset.pk]) == []
    assert not DistributionPreview.objects.exists()


def test_columns_merge_previews_and_portal_metadata(files):
    dataset = DatasetFactory(extra={"columns": [{"name": "postal_code", "title": "Postal code"}, {"name": "lease"}]})
    distribution = DistributionFactory(dataset=dataset, url=files.url("/files/resale.csv"))
    preview_refresh(distribution_id=distribution.pk)
    names = [c["name"] for c in columns_for(dataset)]
    assert names == [*RESALE_COLUMNS, "lease"]  # postal_code is postalCode's column
    assert column_names_by_dataset([dataset.pk]) == {dataset.pk: names}


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("postalCode", "postal code"),
        ("POSTAL_CODE", "postal code"),
        ("Postal code", "postal code"),
        ("postal-code", "postal code"),
        ("resale_price", "resale price"),
        ("HDBTown", "hdb town"),
        ("floor_area_sqm", "floor area sqm"),
        ("Année", "annee"),
    ],
)
def test_column_key_normalises_spellings(name, key):
    assert column_key(name) == key


def test_an_import_that_changes_a_previewed_dataset_remakes_its_preview(files, django_capture_on_commit_callbacks):
    from catalog.importers.base import DatasetRecord, DistributionData, SourceData
    from catalog.services.imports import ImportReport
    from catalog.services.pipeline import records_apply

    def record(url: str, modified: str) -> DatasetRecord:
        return DatasetRecord(
            source=SourceData(slug="portal", name="Portal"),
            external_id="resale",
            ref="resale",
            title="Resale flat prices",
            source_modified_at=dt.datetime.fromisoformat(modified),
            distributions=[DistributionData(format="CSV", url=url, title="Resale")],
        )

    with django_capture_on_commit_callbacks(execute=True):
        records_apply(records=[record(files.url("/files/resale.csv"), "2024-01-01T00:00:00+00:00")], origin="test",
                      report=ImportReport(path="test", format="test"), notify_search=False)  # fmt: skip
    distribution = Distribution.objects.get()
    preview_refresh(distribution_id=distribution.pk)
    with django_capture_on_commit_callbacks(execute=True):  # the portal changed the file's contents
        records_apply(records=[record(files.url("/files/resale.csv"), "2024-06-01T00:00:00+00:00")], origin="test",
                      report=ImportReport(path="test", format="test"), notify_search=False)  # fmt: skip
    preview = DistributionPreview.objects.get(distribution=distribution)
    assert preview.status == "ready" and preview.source_modified == dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
    with django_capture_on_commit_callbacks(execute=True):  # a new file: the distribution is replaced
        records_apply(records=[record(files.url("/files/resale.tsv"), "2024-07-01T00:00:00+00:00")], origin="test",
                      report=ImportReport(path="test", format="test"), notify_search=False)  # fmt: skip
    assert DistributionPreview.objects.get().file_format == "TSV"


def test_an_unavailable_preview_is_tried_again_later_sooner_when_transient(files):
    lost = preview_of(files.url("/missing.csv"))
    busy = preview_of(files.url("/busy.csv"))
    assert busy.reason == "the server is limiting requests (HTTP 429); it is tried again later"
    now = timezone.now()
    assert abs((lost.retry_at - now) - dt.timedelta(hours=settings.PREVIEW_RETRY_HOURS)) < dt.timedelta(minutes=1)
    assert abs((busy.retry_at - now) - dt.timedelta(hours=settings.PREVIEW_RETRY_TRANSIENT_HOURS)) < dt.timedelta(
        minutes=1
    )
    datasets = [lost.distribution.dataset_id, busy.distribution.dataset_id]
    assert previews_due(dataset_ids=datasets) == []
    DistributionPreview.objects.filter(pk=busy.pk).update(retry_at=now - dt.timedelta(seconds=1))
    assert previews_due(dataset_ids=datasets) == [busy.distribution_id]


def test_previews_are_counted_in_the_metrics(files):
    from prometheus_client import REGISTRY

    def made(status: str) -> float:
        return REGISTRY.get_sample_value("ra_previews_total", {"status": status}) or 0.0

    before = made("ready"), made("unavailable")
    preview_of(files.url("/files/resale.csv"))
    preview_of(files.url("/loop"))
    assert (made("ready"), made("unavailable")) == (before[0] + 1, before[1] + 1)


def test_admin_lists_previews_and_reads_a_file_again(admin_client, files, django_capture_on_commit_callbacks):
    preview = preview_of(files.url("/files/html-as.csv"))
    body = admin_client.get("/admin/catalog/distributionpreview/?status=unavailable").content.decode()
    assert "the link leads to a web page (HTML), not a data file" in body
    assert admin_client.get(f"/admin/catalog/distributionpreview/{preview.pk}/change/").status_code == 200
    fetched_at = preview.fetched_at
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/catalog/distributionpreview/",
            {"action": "read_again", "_selected_action": [preview.pk]},
            follow=True,
        )
    assert "1 preview(s) queued." in response.content.decode()
    preview.refresh_from_db()
    assert preview.status == "unavailable" and preview.fetched_at > fetched_at


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/files/resale.csv",
        "http://localhost:{port}/files/resale.csv",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/data.csv",
        "http://[::1]:{port}/files/resale.csv",
    ],
)
def test_private_addresses_are_never_read(files, settings, url):
    settings.PREVIEW_ALLOW_PRIVATE_HOSTS = False
    preview = preview_of(url.format(port=files.base_url.rsplit(":", 1)[1]))
    assert preview.status == "unavailable"
    assert preview.reason == "the link points into a private network, which previews never read"
