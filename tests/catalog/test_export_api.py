"""The export endpoints: content types, downloads, errors, visibility, and the OpenAPI schema."""

from __future__ import annotations

import json

import pytest

from catalog.models import Dataset
from tests.catalog.exports_data import research_dataset, rich_dataset
from tests.factories import DatasetFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("fmt", "content_type", "start"),
    [
        ("bibtex", "application/x-bibtex; charset=utf-8", "@misc{datagovsg_"),
        ("ris", "application/x-research-info-systems; charset=utf-8", "TY  - DATA"),
        ("csl-json", "application/vnd.citationstyles.csl+json; charset=utf-8", "["),
        ("apa", "text/plain; charset=utf-8", "Housing & Development Board. (2017)."),
    ],
)
def test_citation_formats_have_their_content_types(client, fmt, content_type, start):
    dataset = rich_dataset()
    response = client.get(f"/api/datasets/{dataset.pk}/citation?format={fmt}")
    assert response.status_code == 200 and response["Content-Type"] == content_type
    assert response.content.decode().startswith(start)
    assert "Content-Disposition" not in response
    download = client.get(f"/api/datasets/{dataset.pk}/citation?format={fmt}&download=1")
    assert download["Content-Disposition"].startswith(f'attachment; filename="dataset-{dataset.pk}-citation.')


def test_citation_errors_are_clear(client):
    dataset = rich_dataset()
    bad = client.get(f"/api/datasets/{dataset.pk}/citation?format=mla")
    assert bad.status_code == 400 and "bibtex" in bad.content.decode()
    assert client.get("/api/datasets/999999/citation").status_code == 404
    hidden = DatasetFactory(status=Dataset.Status.INACTIVE)
    assert client.get(f"/api/datasets/{hidden.pk}/citation").status_code == 404  # staff only
    assert client.get(f"/api/datasets/{hidden.pk}/datapackage.json").status_code == 404


def test_datapackage_jsonld_and_snippets_endpoints(client):
    dataset = research_dataset()
    package = client.get(f"/api/datasets/{dataset.pk}/datapackage.json")
    assert package.status_code == 200 and package["Content-Type"] == "application/json; charset=utf-8"
    assert package.json()["name"] == "paperswithcode-mumu"
    ld = client.get(f"/api/datasets/{dataset.pk}/jsonld")
    assert ld["Content-Type"] == "application/ld+json; charset=utf-8"
    assert json.loads(ld.content)["@type"] == "Dataset"
    snippets = client.get(f"/api/datasets/{dataset.pk}/snippets")
    assert snippets.status_code == 200 and snippets.json() == []  # no file links
    rich = rich_dataset()
    [group] = client.get(f"/api/datasets/{rich.pk}/snippets").json()
    assert group["title"] == "data.gov.sg API" and [s["language"] for s in group["snippets"]] == [
        "shell",
        "python",
        "r",
    ]


def test_dataset_page_links_the_exports(client):
    dataset = research_dataset()
    html = client.get(f"/datasets/{dataset.pk}/").content.decode()
    for href in (
        f"/api/datasets/{dataset.pk}/datapackage.json",
        f"/api/datasets/{dataset.pk}/jsonld",
        f"/api/datasets/{dataset.pk}/citation?format=bibtex&amp;download=1",
        f"/api/datasets/{dataset.pk}/citation?format=ris&amp;download=1",
    ):
        assert f'href="{href}"' in html, href
    assert "Also cite the paper that introduced it" in html and "https://arxiv.org/abs/1707.04916" in html
    assert 'type="application/ld+json"' in html


def test_openapi_schema_documents_the_export_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    for path in (
        "/api/datasets/{id}/citation",
        "/api/datasets/{id}/datapackage.json",
        "/api/datasets/{id}/jsonld",
        "/api/datasets/{id}/snippets",
        "/catalog.ttl",
        "/catalog.jsonld",
    ):
        assert path in paths, path
    citation = paths["/api/datasets/{id}/citation"]["get"]
    assert {p["name"] for p in citation["parameters"]} >= {"format", "download"}
    assert "application/x-bibtex" in citation["responses"]["200"]["content"]
