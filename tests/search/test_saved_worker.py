"""Saved searches on the production stack: a curator's edit reaches a saved search through a real
Celery worker (re-index, then the debounced matching task), and the periodic tasks run there."""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from catalog.services import dataset_refresh_derived
from search import services as search_services
from search.models import SavedSearchMatch
from search.saved import services
from search.saved.tasks import saved_digests_send, saved_searches_sweep
from tests.factories import DatasetFactory, UserFactory
from tests.search.conftest import make_catalog

pytestmark = [pytest.mark.worker, pytest.mark.slow]


def wait_for(predicate, timeout=90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError("not reached in time")


def test_an_edit_is_matched_by_the_worker_and_the_digest_goes_out(celery_worker, settings):
    settings.SAVED_SEARCH_DEBOUNCE_SECONDS = 1
    catalog = make_catalog()
    search_services.index_ensure()
    ada = UserFactory(username="ada")
    saved, _ = services.saved_search_create(
        user=ada, query="dengue cases", filters={"format": "JSON"}, email_digest=True
    )
    dengue = catalog["dengue"]

    with transaction.atomic():  # the admin's save: the edit, then the derived fields and the signal
        dengue.formats = ["CSV", "JSON"]
        dengue.save()
        dataset_refresh_derived(dataset_ids=[dengue.pk])
    new = SavedSearchMatch.objects.filter(saved_search=saved, dataset=dengue, seen=False)
    wait_for(new.exists)

    # The hourly digest task, run by the worker (its e-mail backend is the console: the worker's log).
    assert saved_digests_send.delay().get(timeout=60) == {"sent": 1, "failed": 0, "datasets": 1}
    assert new.get().notified_at is not None


def test_the_sweep_catches_up_changes_no_task_announced(celery_worker):
    catalog = make_catalog()
    search_services.index_ensure()
    ada = UserFactory(username="ada")
    services.saved_search_create(user=ada, query="monthly rainfall")
    rain = catalog["rain"]
    # Written without the signal (as if its task had been lost), then indexed.
    added = DatasetFactory(
        source=rain.source, publisher=rain.publisher, title="Rainfall - Daily Total",
        description="Total daily rainfall in millimetres recorded at the Changi climate station.",
    )  # fmt: skip
    search_services.index_ensure()
    report = saved_searches_sweep.delay().get(timeout=60)
    assert report["new"] == 1
    assert [m.dataset_id for ms in services.new_matches_for_user(user=ada).values() for m in ms] == [added.pk]
