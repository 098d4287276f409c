"""The preview on the dataset page, the download redirect and /api/datasets/{id}/preview (test client;
files from the local server of tests/catalog/preview_server.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import DistributionPreview
from catalog.previews import preview_refresh
from tests.catalog.preview_server import PreviewServer
from tests.factories import DatasetFactory, DistributionFactory

pytestmark = pytest.mark.django_db
XSS = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def files():
    server = PreviewServer()
    yield server
    server.close()


def page(client, dataset) -> str:
    response = client.get(reverse("dataset-detail", args=[dataset.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_ready_preview_shows_table_profile_and_file_size(client, files):
    dataset = DatasetFactory()
    dist = DistributionFactory(dataset=dataset, title="Resale prices", url=files.url("/files/resale.csv"))
    preview_refresh(distribution_id=dist.pk)
    body = page(client, dataset)
    assert 'data-preview-status="ready"' in body
    assert "5 rows · 6 columns · 268\xa0bytes · the first 5 shown" in body
    assert '<th scope="col">resale_price <span class="col-type">integer</span></th>' in body
    assert "<td>ANG MO KIO</td>" in body
    assert "Column profile" in body and "ANG MO KIO (2), BEDOK (2), TAMPINES (1)" in body
    assert "(268\xa0bytes)" in body  # the download link says the size


def test_pending_none_and_unavailable_say_so_honestly(client, files):
    dataset = DatasetFactory()
    pending = DistributionFactory(dataset=dataset, title="Pending file")
    DistributionPreview.objects.create(distribution=pending, source_url=pending.url, queued_at=timezone.now())
    DistributionFactory(dataset=dataset, title="Never queued")
    broken = DistributionFactory(dataset=dataset, title="HTML file", url=files.url("/files/html-as.csv"))
    preview_refresh(distribution_id=broken.pk)
    DistributionFactory(dataset=dataset, format="PDF", title="Report")  # not tabular: no preview section
    body = page(client, dataset)
    assert "Preview pending: the file is being read." in body
    assert "No preview yet." in body
    assert "Preview unavailable: the link leads to a web page (HTML), not a data file" in body
    assert body.count('class="preview"') == 3


def test_catalog_content_in_the_preview_is_escaped(client):
    dataset = DatasetFactory()
    dist = DistributionFactory(dataset=dataset, title=XSS)
    DistributionPreview.objects.create(
        distribution=dist,
        status="ready",
        source_url=dist.url,
        columns=[{"name": XSS, "type": "string", "nulls": 0, "min": XSS, "max": XSS, "distinct": 1,
                  "values": [[XSS, 1]]}],
        rows=[[XSS]],
        row_count=1,
        rows_profiled=1,
        notes=[XSS],
    )  # fmt: skip
    body = page(client, dataset)
    assert XSS not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_a_page_view_queues_a_missing_preview_when_asked(client, files, settings, django_capture_on_commit_callbacks):
    settings.PREVIEW_ON_VIEW = True
    dataset = DatasetFactory()
    dist = DistributionFactory(dataset=dataset, url=files.url("/files/resale.tsv"), format="TSV")
    with django_capture_on_commit_callbacks(execute=True):  # eager here: made when the view's work commits
        page(client, dataset)
    assert DistributionPreview.objects.get(distribution=dist).status == "ready"
    settings.PREVIEW_ON_VIEW = False
    DistributionFactory(dataset=dataset, url=files.url("/files/resale.json"), format="JSON")
    assert "No preview yet." in page(client, dataset)


def test_datagovsg_download_goes_to_the_file(client, files):
    dataset = DatasetFactory()
    api = files.url("/v1/public/api/datasets/resale.csv/initiate-download")
    dist = DistributionFactory(dataset=dataset, url=api)
    body = page(client, dataset)
    link = reverse("distribution-download", args=[dataset.pk, dist.pk])
    assert f'href="{link}"' in body and api not in body.split("<table>")[1].split("</table>")[0].split("href=")[1]
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"].startswith(files.url("/signed/resale.csv?X-Amz-Expires"))
    assert client.get(response["Location"].replace(files.base_url, "")).status_code == 404  # not ours to serve


def test_a_download_the_portal_refuses_is_a_polite_page(client, files):
    dataset = DatasetFactory(landing_url="https://data.gov.sg/datasets/d_nope/view")
    dist = DistributionFactory(dataset=dataset, url=files.url("/v1/public/api/datasets/d_nope/initiate-download"))
    response = client.get(reverse("distribution-download", args=[dataset.pk, dist.pk]))
    assert response.status_code == 502
    body = response.content.decode()
    assert "data.gov.sg: Dataset not found" in body and "https://data.gov.sg/datasets/d_nope/view" in body
    other = DatasetFactory()
    assert client.get(reverse("distribution-download", args=[other.pk, dist.pk])).status_code == 404


def test_preview_api_returns_rows_columns_and_statuses(client, files):
    dataset = DatasetFactory(extra={"columns": [{"name": "lease_commence_date", "title": "Lease"}]})
    dist = DistributionFactory(
        dataset=dataset, title="Resale", url=files.url("/files/resale.parquet"), format="PARQUET"
    )
    preview_refresh(distribution_id=dist.pk)
    bad = DistributionFactory(dataset=dataset, url=files.url("/loop"))
    preview_refresh(distribution_id=bad.pk)
    data = client.get(f"/api/datasets/{dataset.pk}/preview").json()
    assert data["dataset"] == dataset.pk
    assert [c["name"] for c in data["columns"]][-2:] == ["postalCode", "lease_commence_date"]
    first, second = data["distributions"]
    assert first["id"] == dist.pk and first["format"] == "PARQUET"
    assert first["preview"]["status"] == "ready" and first["preview"]["row_count"] == 5
    assert first["preview"]["rows"][0][:2] == ["2017-01", "ANG MO KIO"]
    assert {"name", "type", "nulls", "min", "max", "distinct"} <= set(first["preview"]["columns"][0])
    assert second["preview"] == second["preview"] | {"status": "unavailable", "reason": "the link redirects in a loop"}
    assert client.get("/api/datasets/999999/preview").status_code == 404


def test_preview_endpoint_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/datasets/{id}/preview"]["get"]
    assert operation["operationId"] == "dataset_preview"
    assert "DatasetPreview" in schema["components"]["schemas"]
