"""Harvest sources through the real admin views, the beat schedule, ``manage.py harvest`` and the worker."""

from __future__ import annotations

import time

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from catalog.harvest.schedule import harvest_source_next_run
from catalog.models import Dataset, HarvestRun, HarvestSource

from .harvest_portal import Portal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_polite_client(settings):
    settings.HARVEST_MIN_INTERVAL_SECONDS = 0
    settings.HARVEST_BACKOFF_SECONDS = 0.01


@pytest.fixture
def portal():
    server = Portal()
    yield server
    server.close()


def form_data(portal: Portal, **overrides) -> dict:
    data = {
        "name": "Example CKAN",
        "type": "ckan",
        "url": portal.base,
        "source": "",
        "config": '{"rows": 2}',
        "schedule": "15 2 * * *",
        "enabled": "on",
        "modified_since_0": "",
        "modified_since_1": "",
        "etag": "",
        "last_modified": "",
    }
    return data | overrides


def test_adding_a_source_schedules_it_with_beat(admin_client, portal):
    response = admin_client.post(reverse("admin:catalog_harvestsource_add"), form_data(portal))
    assert response.status_code == 302, response.context["adminform"].form.errors
    source = HarvestSource.objects.get()
    task = PeriodicTask.objects.get(name=f"harvest-source-{source.pk}")
    assert task.task == "catalog.harvest_source" and task.enabled
    assert (task.crontab.minute, task.crontab.hour) == ("15", "2")
    assert f'"source_id": {source.pk}' in task.kwargs
    next_run = harvest_source_next_run(source=source)
    assert next_run is not None and (next_run.hour, next_run.minute) == (2, 15)

    change = reverse("admin:catalog_harvestsource_change", args=[source.pk])
    response = admin_client.post(change, form_data(portal, enabled="", schedule="0 */6 * * 1-5"))
    assert response.status_code == 302
    task.refresh_from_db()
    assert not task.enabled and task.crontab.hour == "*/6" and task.crontab.day_of_week == "1-5"
    assert harvest_source_next_run(source=HarvestSource.objects.get()) is None

    admin_client.post(change, form_data(portal, schedule=""))
    assert not PeriodicTask.objects.filter(name=f"harvest-source-{source.pk}").exists()


def test_an_invalid_schedule_is_refused(admin_client, portal):
    response = admin_client.post(reverse("admin:catalog_harvestsource_add"), form_data(portal, schedule="99 * * * *"))
    assert response.status_code == 200
    assert "not a valid schedule" in str(response.context["adminform"].form.errors["schedule"])
    response = admin_client.post(reverse("admin:catalog_harvestsource_add"), form_data(portal, schedule="daily"))
    assert "five fields" in str(response.context["adminform"].form.errors["schedule"])
    assert not HarvestSource.objects.exists() and not PeriodicTask.objects.filter(name__startswith="harvest").exists()


def test_deleting_a_source_removes_its_schedule(admin_client, portal):
    admin_client.post(reverse("admin:catalog_harvestsource_add"), form_data(portal))
    source = HarvestSource.objects.get()
    admin_client.post(reverse("admin:catalog_harvestsource_delete", args=[source.pk]), {"post": "yes"})
    assert not HarvestSource.objects.exists()
    assert not PeriodicTask.objects.filter(name__startswith="harvest-source-").exists()


def test_harvest_now_action_and_button_run_the_harvest(admin_client, portal, django_capture_on_commit_callbacks):
    source = HarvestSource.objects.create(name="Example CKAN", type="ckan", url=portal.base, config={"rows": 2})
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:catalog_harvestsource_changelist"),
            {"action": "harvest_now", "_selected_action": [source.pk]},
            follow=True,
        )
    assert "Harvest queued for 1 source(s)" in response.content.decode()
    run = HarvestRun.objects.get()
    assert (run.trigger, run.status, run.created) == ("admin", "success", 5)
    assert Dataset.objects.filter(source__harvest_sources=source).count() == 5

    change = reverse("admin:catalog_harvestsource_change", args=[source.pk])
    page = admin_client.get(change).content.decode()
    assert reverse("admin:catalog_harvestsource_harvest", args=[source.pk]) in page and "Harvest now" in page
    assert reverse("admin:catalog_harvestrun_change", args=[run.pk]) in page  # the recent runs table
    portal.state.ckan_packages[0].update(title="<b>Daily Rainfall</b> renamed", metadata_modified="2024-06-01T00:00:00")
    portal.state.ckan_packages[1]["metadata_modified"] = "not a date"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:catalog_harvestsource_harvest", args=[source.pk]))
    assert response.status_code == 302 and response["Location"] == change
    second = HarvestRun.objects.order_by("-pk").first()
    # Incremental (modified-since): the renamed package, the bad one, and the one on the watermark.
    assert (second.incremental, second.status, second.updated, second.unchanged, second.failed) == (
        True,
        "success",
        1,
        1,
        1,
    )

    report = admin_client.get(reverse("admin:catalog_harvestrun_change", args=[second.pk])).content.decode()
    assert portal.state.ckan_packages[1]["id"] in report and "unparsable date in metadata_modified" in report
    assert admin_client.get(reverse("admin:catalog_harvestrun_changelist")).status_code == 200


def test_harvest_now_needs_post_and_staff(client, admin_client, portal):
    source = HarvestSource.objects.create(name="Example CKAN", type="ckan", url=portal.base)
    url = reverse("admin:catalog_harvestsource_harvest", args=[source.pk])
    assert admin_client.get(url).status_code == 405
    assert client.post(url).status_code == 302 and not HarvestRun.objects.exists()  # to the login page


def test_harvest_command(portal):
    ckan = HarvestSource.objects.create(name="Example CKAN", type="ckan", url=portal.base, config={"rows": 2})
    HarvestSource.objects.create(name="Example CSV", type="csv", url=f"{portal.base}/files/catalog.csv")
    HarvestSource.objects.create(name="Off", type="csv", url=f"{portal.base}/files/catalog.csv", enabled=False)
    call_command("harvest", "--all")
    assert HarvestRun.objects.count() == 2 and Dataset.objects.count() == 8
    call_command("harvest", str(ckan.pk), "--full")
    assert HarvestRun.objects.filter(source=ckan).first().unchanged == 5
    with pytest.raises(CommandError, match="no harvest source"):
        call_command("harvest", "nope")
    with pytest.raises(CommandError, match="one source"):
        call_command("harvest")


@pytest.mark.worker
def test_the_scheduled_task_runs_on_the_worker(celery_worker, portal):
    from catalog.harvest.tasks import harvest_source_task

    source = HarvestSource.objects.create(name="Example CSV", type="csv", url=f"{portal.base}/files/catalog.csv")
    result = harvest_source_task.delay(source_id=source.pk, trigger="schedule").get(timeout=120)
    assert result["status"] == "success" and result["created"] == 3
    assert Dataset.objects.filter(source__harvest_sources=source).count() == 3
    assert HarvestRun.objects.get(source=source).trigger == "schedule"
    # The harvest told search (datasets_changed): the worker builds an index holding the new datasets.
    # Waiting for it also keeps this test's background work from landing in the next test.
    from search.models import IndexState

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        state = IndexState.objects.filter(pk=1).first()
        if state is not None and state.dataset_count == 3:
            break
        time.sleep(0.5)
    assert state is not None and state.dataset_count == 3
