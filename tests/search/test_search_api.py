"""The REST API: /api/search (GET and POST), /api/datasets, similar datasets, schema."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_search_get(catalog, client):
    response = client.get("/api/search", {"q": "monthly rainfall", "top_k": 3})
    assert response.status_code == 200
    data = response.json()
    assert data["results"][0]["id"] == catalog["rain"].pk
    hit = data["results"][0]
    assert hit["source"] == "datagovsg" and hit["external_id"] == catalog["rain"].external_id
    assert set(hit) >= {
        "id",
        "source",
        "external_id",
        "title",
        "snippet",
        "publisher",
        "formats",
        "url",
        "score",
        "why",
    }
    assert set(data) >= {"results", "facets", "total", "page", "took_ms", "cached"}
    assert data["page"] == 1 and data["cached"] is False and len(data["results"]) <= 3
    assert client.get("/api/search", {"q": "monthly rainfall", "top_k": 3}).json()["cached"] is True


def test_search_get_filters(catalog, client):
    data = client.get("/api/search", {"q": "data", "format": "json", "source": "worldbank"}).json()
    assert data["results"] and all(h["source"] == "worldbank" and "JSON" in h["formats"] for h in data["results"])
    data = client.get("/api/search?q=data&source=worldbank&source=paperswithcode&top_k=50").json()
    assert {h["source"] for h in data["results"]} == {"worldbank", "paperswithcode"}
    data = client.get("/api/search", {"q": "school pupils", "year_from": 2015}).json()
    assert catalog["school"].pk not in [h["id"] for h in data["results"]]
    data = client.get("/api/search", {"q": "health", "theme": "Health", "publisher": "world-health-organization"})
    assert [h["id"] for h in data.json()["results"]] == [catalog["life"].pk]


def test_search_post(catalog, client):
    response = client.post(
        "/api/search",
        {"q": "image classification", "source": ["paperswithcode"], "top_k": 2, "page": 1},
        content_type="application/json",
    )
    assert response.status_code == 200
    data = response.json()
    assert data["results"][0]["id"] == catalog["cifar"].pk and len(data["results"]) <= 2
    assert {f["value"] for f in data["facets"]["source"]} == {"paperswithcode"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": ""}, "q"),
        ({}, "q"),
        ({"q": "x" * 501}, "q"),
        ({"q": "rain", "top_k": 0}, "top_k"),
        ({"q": "rain", "top_k": 51}, "top_k"),
        ({"q": "rain", "top_k": "many"}, "top_k"),
        ({"q": "rain", "source": "atlantis"}, "source"),
        ({"q": "rain", "format": "PARQUET"}, "format"),
        ({"q": "rain", "theme": "Astrology"}, "theme"),
        ({"q": "rain", "publisher": "nobody"}, "publisher"),
        ({"q": "rain", "year_from": 2020, "year_to": 2000}, "year_to"),
        ({"q": "rain", "include_inactive": "true"}, "include_inactive"),
    ],
)
def test_search_400s(catalog, client, params, field):
    response = client.get("/api/search", params)
    assert response.status_code == 400
    assert field in response.json()
    post = client.post("/api/search", params, content_type="application/json")
    assert post.status_code == 400 and field in post.json()


def test_search_staff_sees_inactive(catalog, client, staff):
    client.force_login(staff)
    data = client.get("/api/search", {"q": "bus stop", "include_inactive": "true"}).json()
    assert catalog["inactive"].pk in [h["id"] for h in data["results"]]


def test_datasets_list_and_detail(catalog, client):
    data = client.get("/api/datasets", {"page_size": 5}).json()
    assert data["count"] == 14 and len(data["results"]) == 5 and data["pages"] == 3  # inactive one hidden
    data = client.get("/api/datasets", {"source": "worldbank", "format": "JSON"}).json()
    assert [d["id"] for d in data["results"]] == [catalog["gdp"].pk]
    assert data["results"][0]["publisher"] == {"slug": "world-bank", "name": "World Bank"}
    assert client.get("/api/datasets", {"source": "atlantis"}).status_code == 400
    assert client.get("/api/datasets", {"status": "inactive"}).status_code == 400
    detail = client.get(f"/api/datasets/{catalog['coe'].pk}")
    assert detail.status_code == 200 and detail.json()["description"].startswith("Quota premium")
    assert client.get(f"/api/datasets/{catalog['inactive'].pk}").status_code == 404
    assert client.get("/api/datasets/999999").status_code == 404


def test_similar_api(catalog, client):
    response = client.get(f"/api/datasets/{catalog['cifar'].pk}/similar", {"top_k": 2})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["id"] == catalog["coco"].pk and len(results) == 2
    assert catalog["cifar"].pk not in [r["id"] for r in results]
    assert client.get(f"/api/datasets/{catalog['inactive'].pk}/similar").status_code == 404
    assert client.get(f"/api/datasets/{catalog['cifar'].pk}/similar", {"top_k": 0}).status_code == 400


def test_schema_documents_the_endpoints(db, client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/search"])
    assert {"/api/datasets", "/api/datasets/{id}", "/api/datasets/{id}/similar"} <= set(paths)
    params = {p["name"] for p in paths["/api/search"]["get"]["parameters"]}
    assert {"q", "top_k", "page", "source", "publisher", "format", "theme", "year_from", "year_to"} <= params
    hit = schema["components"]["schemas"]["SearchHit"]["properties"]
    assert {"id", "source", "external_id", "title", "snippet", "publisher", "formats", "url", "score", "why"} <= set(
        hit
    )
    assert client.get("/api/docs/").status_code == 200

