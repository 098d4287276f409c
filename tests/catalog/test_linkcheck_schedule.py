"""Link checks that run and show: politeness (per-host spacing), the overall deadline, the first
check after bootstrap, the admin's "check links now", and the outcome on cards and pages."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from catalog.linkcheck import check_urls, links_check
from catalog.models import Dataset, Distribution, Publisher, Source, Tag
from catalog.presentation import hit_card
from tests.factories import DatasetFactory, DistributionFactory
from tests.ops.servers import link_server

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:catalog_dataset_changelist"


@pytest.fixture(scope="module")
def server():
    with link_server() as http:
        yield http


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.LINK_CHECK_TIMEOUT_SECONDS = 3
    settings.LINK_CHECK_PER_HOST_INTERVAL_SECONDS = 0


def test_requests_to_one_host_are_spaced_out(server):
    urls = [f"{server.base_url}/ok?n={i}" for i in range(4)]
    started = time.perf_counter()
    results = asyncio.run(check_urls(urls, per_host=4, per_host_interval=0.25))
    assert {r.status for r in results.values()} == {"ok"}
    assert time.perf_counter() - started >= 0.7  # 4 starts, 0.25 s apart
    started = time.perf_counter()
    asyncio.run(check_urls(urls, per_host=4, per_host_interval=0))
    assert time.perf_counter() - started < 0.7


def test_the_deadline_leaves_unanswered_links_for_next_time(server):
    slow = DatasetFactory(landing_url=f"{server.base_url}/slow")
    quick = DatasetFactory(landing_url=f"{server.base_url}/ok")
    started = time.perf_counter()
    report = links_check(dataset_ids=[slow.pk, quick.pk], deadline=1.0)
    assert time.perf_counter() - started < 3
    assert report.datasets == 1
    slow.refresh_from_db()
    quick.refresh_from_db()
    assert (quick.link_status, quick.link_checked_at is not None) == ("ok", True)
    assert (slow.link_status, slow.link_checked_at) == ("unknown", None)  # not stamped as checked


def _wipe_catalog():
    Distribution.objects.all().delete()
    Dataset.objects.all().delete()
    Publisher.objects.all().delete()
    Tag.objects.all().delete()
    Source.objects.all().delete()


def test_bootstrap_queues_a_bounded_first_check(server, settings, tmp_path, django_capture_on_commit_callbacks):
    for i in range(3):
        DatasetFactory(external_id=f"ok-{i}", landing_url=f"{server.base_url}/ok/{i}")
    DatasetFactory(external_id="gone", landing_url=f"{server.base_url}/missing")
    fixture = tmp_path / "catalog.json.gz"
    call_command("dumpdata", "catalog", output=str(fixture), verbosity=0)
    _wipe_catalog()
    settings.LINK_CHECK_AFTER_BOOTSTRAP = True
    settings.LINK_CHECK_BOOTSTRAP_LIMIT = 3
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("bootstrap", "--fixture", str(fixture), "--skip-index", stdout=out)
    assert "Link check queued: up to 3 datasets" in out.getvalue()
    checked = Dataset.objects.exclude(link_checked_at=None)
    assert checked.count() == 3  # bounded: the fourth waits for the hourly run
    assert set(checked.values_list("link_status", flat=True)) <= {"ok", "broken"}
    # A catalog whose links were all checked is not queued again.
    Dataset.objects.update(link_checked_at=timezone.now())
    out = StringIO()
    call_command("bootstrap", "--skip-index", stdout=out)
    assert "Link check queued" not in out.getvalue()


def test_admin_check_links_now(admin_client, server, settings, django_capture_on_commit_callbacks):
    good = DatasetFactory(landing_url=f"{server.base_url}/ok")
    bad = DatasetFactory(landing_url=f"{server.base_url}/missing")
    DistributionFactory(dataset=bad, url=f"{server.base_url}/error")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse(CHANGELIST), {"action": "check_links_now", "_selected_action": [good.pk, bad.pk]}, follow=True
        )
    assert "Link check queued for 2 dataset(s)" in response.content.decode()
    good.refresh_from_db()
    bad.refresh_from_db()
    assert (good.link_status, bad.link_status, bad.link_http_code) == ("ok", "broken", 404)
    assert bad.distributions.get().link_status == "broken"
    settings.LINK_CHECK_ADMIN_MAX = 1
    response = admin_client.post(
        reverse(CHANGELIST), {"action": "check_links_now", "_selected_action": [good.pk, bad.pk]}, follow=True
    )
    assert "Select at most 1 datasets at a time" in response.content.decode()


def test_the_outcome_shows_on_cards_and_pages(client):
    checked = timezone.now() - timedelta(days=3)
    dataset = DatasetFactory(
        landing_url="https://example.org/x", link_status="broken", link_http_code=404, link_checked_at=checked
    )
    DistributionFactory(dataset=dataset, link_status="ok", link_http_code=200, link_checked_at=checked)
    html = client.get(f"/datasets/{dataset.pk}/").content.decode()
    assert "Link broken" in html and "checked <time" in html and "3\xa0days ago" in html and "(HTTP 404)" in html
    assert "Link working" in html  # the distribution's own outcome
    card = hit_card(_hit(id=dataset.pk, link_status="broken", link_checked_at=checked.isoformat()))
    rendered = render_to_string("search/_result_card.html", {"hit": card, "rank": 1, "read_only": True})
    assert "Link broken" in rendered and "checked 3\xa0days ago" in rendered
    unchecked = render_to_string(
        "search/_result_card.html",
        {"hit": hit_card(_hit(id=1, link_status="unknown")), "rank": 1, "read_only": True},
    )
    assert "Link not checked" in unchecked and "not checked yet" in unchecked


def _hit(**values) -> dict:
    hit = {"id": 1, "source": "s", "source_name": "S", "external_id": "e", "title": "T", "snippet": "", "publisher": "P",
           "formats": [], "themes": [], "url": "", "score": 1.0, "why": [], "temporal_start": None,
           "temporal_end": None, "link_status": "unknown", "link_checked_at": None, "quality_score": 0.5,
           "family": None, "members": []}  # fmt: skip
    hit.update(values)
    return hit
