"""The documented quality formula (catalog.quality) and its service wrappers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from catalog import quality
from catalog.models import Dataset
from catalog.services import catalog_import, dataset_quality_score, quality_recompute
from tests.factories import DatasetFactory

TODAY = date(2025, 6, 1)


def score(**overrides):
    kwargs = {
        "description": "x" * 300,
        "description_source": "dataset",
        "has_publisher": True,
        "temporal_start": date(2020, 1, 1),
        "temporal_end": date(2025, 1, 1),
        "geographic_coverage": "Singapore",
        "formats": ["CSV"],
        "source_modified_at": datetime(2025, 5, 1, tzinfo=UTC),
        "link_status": "ok",
        "today": TODAY,
    }
    kwargs.update(overrides)
    return quality.score(**kwargs)


def test_weights_sum_to_one():
    assert sum(quality.WEIGHTS.values()) == pytest.approx(1.0)


def test_complete_fresh_working_dataset_scores_one():
    assert score() == 1.0


def test_empty_dataset_scores_zero():
    assert (
        score(
            description="",
            has_publisher=False,
            temporal_start=None,
            temporal_end=None,
            geographic_coverage="",
            formats=[],
            source_modified_at=None,
            link_status="broken",
        )
        == 0.0
    )


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"description": "x" * 150}, 1 - 0.25 * 0.5),
        ({"description_source": "collection"}, 1 - 0.25 * 0.2),
        ({"description_source": "generated"}, 1 - 0.25 * 0.5),
        ({"has_publisher": False}, 0.9),
        ({"temporal_end": None}, 1 - 0.15 * 0.25),
        ({"geographic_coverage": ""}, 1 - 0.15 * 0.5),
        ({"formats": ["PDF"]}, 1 - 0.15 * 0.5),
        ({"formats": []}, 0.85),
        ({"link_status": "redirect"}, 1 - 0.2 * 0.2),
        ({"link_status": "unknown"}, 0.9),
        ({"link_status": "broken"}, 0.8),
        ({"link_status": "error"}, 0.8),
    ],
)
def test_each_component(overrides, expected):
    assert score(**overrides) == pytest.approx(expected, abs=1e-4)


def test_freshness_decays_from_one_to_six_years():
    def at(years):
        modified = datetime(2025, 6, 1) - timedelta(days=round(365.25 * years))
        return score(source_modified_at=modified, temporal_end=None, temporal_start=None) + 0.15 * 0.5

    assert at(0.5) == pytest.approx(1.0, abs=1e-3)
    assert at(3.5) == pytest.approx(1 - 0.15 * 0.5, abs=1e-3)
    assert at(6) == pytest.approx(0.85, abs=1e-3)
    assert at(20) == pytest.approx(0.85, abs=1e-3)


@pytest.mark.django_db
def test_broken_link_lowers_the_score_and_recompute_picks_it_up():
    dataset = DatasetFactory(description="d" * 400, link_status=Dataset.LinkStatus.OK, quality_score=0.0)
    healthy = dataset_quality_score(dataset)
    dataset.link_status = Dataset.LinkStatus.BROKEN
    dataset.save()
    assert dataset_quality_score(dataset) == pytest.approx(healthy - 0.2)
    assert quality_recompute(dataset_ids=[dataset.pk]) == 1
    dataset.refresh_from_db()
    assert dataset.quality_score == pytest.approx(healthy - 0.2)
    assert quality_recompute(dataset_ids=[dataset.pk]) == 0  # nothing changed the second time


@pytest.mark.django_db
def test_import_computes_the_score(catalog_data):
    catalog_import(path=catalog_data / "datagovsg")
    for dataset in Dataset.objects.all():
        assert dataset.quality_score == pytest.approx(dataset_quality_score(dataset), abs=1e-4)
    resale = Dataset.objects.get(external_id="d_resale")
    parks = Dataset.objects.get(external_id="d_parks")
    assert resale.quality_score > parks.quality_score  # described, with coverage


@pytest.mark.django_db
def test_daily_task_lets_freshness_decay_with_the_calendar():
    import time_machine

    from catalog.tasks import quality_recompute_task

    with time_machine.travel(datetime(2025, 6, 1, tzinfo=UTC), tick=False):
        dataset = DatasetFactory(description="d" * 400, source_modified_at=datetime(2025, 5, 1, tzinfo=UTC))
        quality_recompute()
        dataset.refresh_from_db()
        fresh = dataset.quality_score
    with time_machine.travel(datetime(2029, 6, 1, tzinfo=UTC), tick=False):
        assert quality_recompute_task.delay().get(timeout=10) == {"changed": 1}
    dataset.refresh_from_db()
    assert dataset.quality_score < fresh
