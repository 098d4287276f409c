"""Saved searches: matching against the real index (embedding model, fixture catalog), limits, isolation."""

from __future__ import annotations

import pytest

from catalog.models import Dataset
from catalog.services import dataset_refresh_derived
from search import services as search_services
from search.models import SavedSearch, SavedSearchMatch
from search.saved import matching, services
from tests.factories import DatasetFactory, UserFactory
from tests.search.conftest import make_catalog

pytestmark = pytest.mark.slow


@pytest.fixture
def indexed(db) -> dict[str, Dataset]:
    data = make_catalog()
    search_services.index_ensure()
    return data


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


def new_titles(user) -> list[str]:
    return sorted(m.dataset.title for ms in services.new_matches_for_user(user=user).values() for m in ms)


def rainfall_dataset(catalog, **kw) -> Dataset:
    rain = catalog["rain"]
    return DatasetFactory(
        source=rain.source,
        publisher=rain.publisher,
        title=kw.pop("title", "Rainfall - Daily Total at Changi"),
        description="Total daily rainfall in millimetres recorded at the Changi climate station.",
        themes=["Environment"],
        **kw,
    )


def test_saving_records_a_baseline_and_a_new_dataset_appears_once(indexed, alice):
    saved, created = services.saved_search_create(user=alice, query="monthly rainfall")
    assert created and saved.checked_at is not None
    baseline = set(saved.matches.values_list("dataset_id", flat=True))
    assert indexed["rain"].pk in baseline
    assert not saved.matches.filter(seen=False).exists()  # what matched when saved is not news
    assert new_titles(alice) == []

    added = rainfall_dataset(indexed)
    search_services.index_ensure()
    report = matching.saved_searches_match()
    assert report["ran"] == 1 and report["new"] == 1
    assert new_titles(alice) == [added.title]

    # Running again (a redelivered task, the beat sweep) records nothing twice.
    assert matching.saved_searches_match()["new"] == 0
    saved.refresh_from_db()
    saved.checked_at = None  # even a forced re-run finds it already recorded
    assert matching.saved_search_match(saved=saved, coverage=matching.index_coverage()) == 0
    assert SavedSearchMatch.objects.filter(saved_search=saved, dataset=added).count() == 1


def test_a_seen_match_does_not_come_back(indexed, alice):
    saved, _ = services.saved_search_create(user=alice, query="monthly rainfall")
    added = rainfall_dataset(indexed)
    search_services.index_ensure()
    matching.saved_searches_match()
    assert services.matches_mark_seen(saved=saved) == 1
    assert new_titles(alice) == []

    # It is edited again (a harvest update) and still matches: not news a second time.
    added.description += " Updated monthly."
    added.save()
    search_services.index_ensure()
    matching.saved_searches_match()
    assert new_titles(alice) == []


def test_a_dataset_edited_to_match_is_new(indexed, alice):
    # Dengue figures are CSV only: a search for them in JSON matches nothing yet.
    saved, _ = services.saved_search_create(user=alice, query="dengue cases", filters={"format": "json"})
    assert saved.filters == {"format": ["JSON"]}
    assert not saved.matches.filter(dataset=indexed["dengue"]).exists()

    dengue = indexed["dengue"]
    dengue.formats = ["CSV", "JSON"]
    dengue.save()  # what the admin's save does, then it refreshes the derived fields
    dataset_refresh_derived(dataset_ids=[dengue.pk])
    search_services.index_ensure()
    matching.saved_searches_match()
    assert new_titles(alice) == ["Weekly Infectious Disease Bulletin"]


def test_a_withdrawn_dataset_is_never_news(indexed, alice):
    services.saved_search_create(user=alice, query="monthly rainfall")
    gone = rainfall_dataset(indexed, title="Rainfall - Hourly Total at Changi")
    search_services.index_ensure()
    # Withdrawn by a harvest before the run, while the index still lists it.
    Dataset.objects.filter(pk=gone.pk).update(status=Dataset.Status.INACTIVE, status_reason="Withdrawn")
    matching.saved_searches_match()
    assert new_titles(alice) == []

    # Alerted, then withdrawn: it leaves the list.
    kept = rainfall_dataset(indexed)
    search_services.index_ensure()
    matching.saved_searches_match()
    assert new_titles(alice) == [kept.title]
    Dataset.objects.filter(pk=kept.pk).update(status=Dataset.Status.INACTIVE)
    assert new_titles(alice) == []


def test_a_curator_edit_reaches_saved_searches_through_the_signal(indexed, alice, django_capture_on_commit_callbacks):
    """The real chain in eager mode: datasets_changed -> re-index -> the debounced matching run."""
    services.saved_search_create(user=alice, query="dengue cases", filters={"format": "JSON"})
    dengue = indexed["dengue"]
    dengue.formats = ["CSV", "JSON"]
    dengue.save()
    with django_capture_on_commit_callbacks(execute=True):
        dataset_refresh_derived(dataset_ids=[dengue.pk])
    assert new_titles(alice) == ["Weekly Infectious Disease Bulletin"]


def test_a_queued_run_absorbs_later_changes(indexed, alice, django_capture_on_commit_callbacks):
    """Debounce: while a run is queued (the mark is set), further changes queue nothing."""
    saved, _ = services.saved_search_create(user=alice, query="monthly rainfall")
    before = SavedSearch.objects.get(pk=saved.pk).checked_at
    from django.core.cache import cache

    cache.set(matching.DEBOUNCE_KEY, "1", timeout=60)
    rainfall_dataset(indexed)
    with django_capture_on_commit_callbacks(execute=True):
        matching.saved_searches_schedule()
    assert SavedSearch.objects.get(pk=saved.pk).checked_at == before  # nothing ran on the request path
    # The queued run (here: called as the worker would) clears the mark and does the work.
    search_services.index_ensure()
    assert matching.saved_searches_match_task.apply().get()["new"] == 1
    assert cache.get(matching.DEBOUNCE_KEY) is None


def test_runs_are_bounded(indexed, alice, settings):
    settings.SAVED_SEARCH_MAX_NEW_PER_RUN = 1
    settings.SAVED_SEARCH_BATCH = 1
    services.saved_search_create(user=alice, query="monthly rainfall")
    services.saved_search_create(user=alice, query="rainfall in millimetres")
    for i in range(3):
        rainfall_dataset(indexed, title=f"Rainfall - Station {i} Daily Total")
    search_services.index_ensure()
    first = matching.saved_searches_match()
    assert (first["ran"], first["new"], first["pending"]) == (1, 1, True)
    second = matching.saved_searches_match()
    assert (second["ran"], second["new"], second["pending"]) == (1, 1, False)


def test_the_same_search_is_saved_once_and_per_user_limit(indexed, alice, settings):
    settings.SAVED_SEARCH_MAX_PER_USER = 2
    first, created = services.saved_search_create(user=alice, query="Monthly  rainfall", filters={"format": "csv"})
    again, created_again = services.saved_search_create(user=alice, query="monthly rainfall", filters={"format": "CSV"})
    assert created and not created_again and again.pk == first.pk
    services.saved_search_create(user=alice, query="dengue")
    with pytest.raises(services.SavedSearchError, match="at most 2"):
        services.saved_search_create(user=alice, query="hawker centres")
    # Another user has a limit of their own.
    assert services.saved_search_create(user=UserFactory(username="bob"), query="hawker centres")[1]


@pytest.mark.parametrize(
    ("query", "filters", "field"),
    [
        ("", {}, "query"),
        ("x" * 501, {}, "query"),
        ("rain", {"publisher": "no-such-agency"}, "publisher"),
        ("rain", {"include_inactive": True}, "include_inactive"),
        ("rain", {"ids": [1, 2]}, "ids"),
        ("rain", {"year_from": "twenty"}, "year_from"),
        ("rain", ["not", "a", "dict"], "filters"),
    ],
)
def test_bad_searches_are_refused_with_field_errors(indexed, alice, query, filters, field):
    with pytest.raises(services.SavedSearchError) as caught:
        services.saved_search_create(user=alice, query=query, filters=filters)
    assert field in caught.value.errors
    assert not SavedSearch.objects.exists()


def test_changing_the_search_starts_afresh(indexed, alice):
    saved, _ = services.saved_search_create(user=alice, query="monthly rainfall")
    services.saved_search_update(saved=saved, user=alice, query="dengue cases")
    saved.refresh_from_db()
    assert saved.query == "dengue cases" and saved.name == "dengue cases"
    assert set(saved.matches.values_list("dataset_id", flat=True)) >= {indexed["dengue"].pk}
    assert not saved.matches.filter(dataset=indexed["rain"]).exists()
    assert not saved.matches.filter(seen=False).exists()


def test_a_run_after_non_content_changes_searches_nothing_but_a_late_commit_is_found(indexed, alice):
    from datetime import timedelta

    from django.utils import timezone

    Dataset.objects.update(updated_at=timezone.now() - timedelta(days=2))  # an old catalog
    search_services.index_rebuild()
    saved, _ = services.saved_search_create(user=alice, query="monthly rainfall")
    first_check = saved.checked_at

    # A link check changes a dataset's link status (not its content) and the index is rebuilt.
    matching._content_mark([indexed["gdp"].pk])
    search_services.index_rebuild()
    report = matching.saved_searches_match()
    assert report["ran"] == 0  # nothing searched
    saved.refresh_from_db()
    assert saved.checked_at > first_check

    # A dataset written before that run but committed after it (a long import transaction).
    late = rainfall_dataset(indexed)
    Dataset.objects.filter(pk=late.pk).update(updated_at=saved.checked_at - timedelta(minutes=10))
    matching._content_mark([late.pk])
    assert search_services.index_ensure()["rebuilt"]  # embeds it, then builds
    report = matching.saved_searches_match()
    assert (report["ran"], report["new"]) == (1, 1)
    assert new_titles(alice) == [late.title]
