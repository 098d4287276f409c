from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import HEALTH_AUTH
from tests.factories import DatasetFactory, SourceFactory


@pytest.mark.django_db
def test_home_shows_product_name_and_source_counts(client):
    source = SourceFactory(slug="datagovsg", name="data.gov.sg")
    DatasetFactory.create_batch(3, source=source)
    DatasetFactory(source=source, status="inactive")
    response = client.get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Dataset Research Assistant" in body
    assert "data.gov.sg" in body
    assert response.context["catalog_size"] == 3


@pytest.mark.django_db
def test_health_reports_database_and_catalog_size(client):
    DatasetFactory.create_batch(2)
    response = client.get("/api/health", headers=HEALTH_AUTH)
    assert response.status_code == 200
    data = response.json()
    assert data["status"] in {"ok", "degraded"}
    assert data["components"]["database"]["status"] == "ok"
    assert data["catalog_size"] == 2
    assert data["version"]


@pytest.mark.django_db
def test_ready_is_503_on_empty_catalog(client):
    response = client.get("/api/health/ready")
    assert response.status_code == 503
    assert "catalog is empty" in response.json()["reasons"]


@pytest.mark.django_db
def test_unknown_page_is_polite_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Traceback" not in response.content


@pytest.mark.worker
def test_celery_task_round_trips_through_real_worker(celery_worker):
    from research_assistant.celery import ping

    assert ping.delay().get(timeout=30) == "pong"
