"""Curation in the Django admin, through the real admin views (admin_client = a superuser)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from catalog.models import Dataset
from catalog.services import catalog_import, dataset_quality_score

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:catalog_dataset_changelist"


@pytest.fixture
def imported(catalog_data):
    catalog_import(path=catalog_data / "datagovsg")
    catalog_import(path=catalog_data / "seed.csv")


def change_form_data(dataset: Dataset, **overrides) -> dict:
    data = {
        "title": dataset.title,
        "description": dataset.description,
        "publisher": dataset.publisher_id or "",
        "tags": [t.pk for t in dataset.tags.all()],
        "themes": json.dumps(dataset.themes),
        "formats": json.dumps(dataset.formats),
        "license": dataset.license,
        "landing_url": dataset.landing_url,
        "geographic_coverage": dataset.geographic_coverage,
        "temporal_start": dataset.temporal_start or "",
        "temporal_end": dataset.temporal_end or "",
        "update_frequency": dataset.update_frequency,
        "status": dataset.status,
        "status_reason": dataset.status_reason,
    }
    distributions = list(dataset.distributions.all())
    data.update(
        {
            "distributions-TOTAL_FORMS": len(distributions),
            "distributions-INITIAL_FORMS": len(distributions),
            "distributions-MIN_NUM_FORMS": 0,
            "distributions-MAX_NUM_FORMS": 1000,
        }
    )
    for i, d in enumerate(distributions):
        data.update(
            {
                f"distributions-{i}-id": d.pk,
                f"distributions-{i}-dataset": dataset.pk,
                f"distributions-{i}-title": d.title,
                f"distributions-{i}-format": d.format,
                f"distributions-{i}-url": d.url,
                f"distributions-{i}-media_type": d.media_type,
            }
        )
    data.update(overrides)
    return data


def test_changelist_shows_quality_and_filters(admin_client, imported):
    response = admin_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Resale Flat Prices" in body
    for heading in ("By source", "By publisher", "By format", "By status", "By link status"):
        assert heading in body
    resale = Dataset.objects.get(external_id="d_resale")
    assert f"{resale.quality_score:.2f}" in body


def test_search_and_format_filter(admin_client, imported):
    response = admin_client.get(reverse(CHANGELIST), {"q": "resale"})
    assert list(response.context["cl"].queryset.values_list("external_id", flat=True)) == ["d_resale"]
    response = admin_client.get(reverse(CHANGELIST), {"format": "KML"})
    assert set(response.context["cl"].queryset.values_list("external_id", flat=True)) == {"d_parks", "d_napfa"}
    response = admin_client.get(reverse(CHANGELIST), {"status__exact": "inactive"})
    assert set(response.context["cl"].queryset.values_list("external_id", flat=True)) == {"d_e2e", "d_testds", "d_ogp"}


def test_bulk_deactivate_and_activate(admin_client, imported, django_capture_on_commit_callbacks):
    ids = list(Dataset.objects.filter(external_id__in=["d_resale", "d_parks"]).values_list("pk", flat=True))
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(
            reverse(CHANGELIST), {"action": "deactivate_datasets", "_selected_action": ids}, follow=True
        )
    assert response.status_code == 200
    assert "2 dataset(s) deactivated." in response.content.decode()
    assert len(callbacks) == 1  # search was told
    for dataset in Dataset.objects.filter(pk__in=ids):
        assert dataset.status == Dataset.Status.INACTIVE
        assert dataset.status_reason == "Deactivated by curator admin"
        assert dataset.extra["curator_status"] == "inactive"
    junk = Dataset.objects.get(external_id="d_e2e")
    admin_client.post(reverse(CHANGELIST), {"action": "activate_datasets", "_selected_action": [junk.pk]})
    junk.refresh_from_db()
    assert (junk.status, junk.status_reason) == (Dataset.Status.ACTIVE, "")


def test_curator_decision_survives_reimport(admin_client, imported, catalog_data):
    junk = Dataset.objects.get(external_id="d_e2e")
    admin_client.post(reverse(CHANGELIST), {"action": "activate_datasets", "_selected_action": [junk.pk]})
    report = catalog_import(path=catalog_data / "datagovsg")
    assert (report.created, report.updated) == (0, 0)
    junk.refresh_from_db()
    assert junk.status == Dataset.Status.ACTIVE


def test_change_form_save_recomputes_hash_and_quality(admin_client, imported, django_capture_on_commit_callbacks):
    parks = Dataset.objects.get(external_id="d_parks")
    old_hash, old_quality = parks.content_hash, parks.quality_score
    url = reverse("admin:catalog_dataset_change", args=[parks.pk])
    assert admin_client.get(url).status_code == 200
    description = "Locations and boundaries of parks managed by the National Parks Board, for mapping. " * 3
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(
            url, change_form_data(parks, description=description, external_id="hacked", source=999)
        )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert len(callbacks) == 1
    parks.refresh_from_db()
    assert parks.description == description.strip()
    assert parks.external_id == "d_parks"  # provenance is read-only
    assert parks.content_hash != old_hash
    assert parks.quality_score > old_quality
    assert parks.quality_score == pytest.approx(dataset_quality_score(parks), abs=1e-4)


def test_status_change_in_form_is_a_curator_decision(admin_client, imported):
    parks = Dataset.objects.get(external_id="d_parks")
    url = reverse("admin:catalog_dataset_change", args=[parks.pk])
    response = admin_client.post(url, change_form_data(parks, status="inactive", status_reason="superseded by v2"))
    assert response.status_code == 302
    parks.refresh_from_db()
    assert (parks.status, parks.status_reason) == ("inactive", "superseded by v2")
    assert parks.extra["curator_status"] == "inactive"


def test_datasets_are_not_added_by_hand(admin_client):
    assert admin_client.get(reverse("admin:catalog_dataset_add")).status_code == 403


def test_other_catalog_admin_pages(admin_client, imported):
    for name in (
        "admin:catalog_source_changelist",
        "admin:catalog_publisher_changelist",
        "admin:catalog_tag_changelist",
    ):
        assert admin_client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("model", ["source", "publisher"])
def test_sources_and_publishers_list_their_dataset_counts_sorted(admin_client, imported, model):
    from django.db.models import Count

    from catalog.models import Publisher, Source

    response = admin_client.get(
        reverse(f"admin:catalog_{model}_changelist"), {"o": "-5" if model == "source" else "-3"}
    )
    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    counts = [row.n_datasets for row in rows]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0
    expected = {"source": Source, "publisher": Publisher}[model].objects.annotate(n=Count("datasets"))
    assert {row.pk: row.n_datasets for row in rows} == {obj.pk: obj.n for obj in expected}
