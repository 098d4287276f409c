"""The link checker against local HTTP and HTTPS servers: 200, 404, 500, timeout, redirect loop, TLS error."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from catalog.linkcheck import check_urls, links_check
from catalog.models import Dataset
from tests.factories import DatasetFactory, DistributionFactory
from tests.ops.servers import link_server, self_signed_cert


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    cert = self_signed_cert(str(tmp_path_factory.mktemp("tls")))
    with link_server() as http, link_server(tls_cert=cert) as https:
        yield http, https


@pytest.fixture(autouse=True)
def _fast_timeouts(settings):
    settings.LINK_CHECK_TIMEOUT_SECONDS = 0.5
    settings.LINK_CHECK_MAX_REDIRECTS = 4


def test_check_urls_classifies_every_case(servers):
    http, https = servers
    urls = {
        "ok": f"{http.base_url}/ok",
        "missing": f"{http.base_url}/missing",
        "error": f"{http.base_url}/error",
        "slow": f"{http.base_url}/slow",
        "loop": f"{http.base_url}/loop",
        "moved": f"{http.base_url}/moved",
        "nohead": f"{http.base_url}/nohead",
        "forbidden": f"{http.base_url}/forbidden-head",
        "tls": f"{https.base_url}/ok",
        "refused": "http://127.0.0.1:1/nothing",
    }
    results = asyncio.run(check_urls(list(urls.values())))
    got = {name: (results[url].status, results[url].http_code) for name, url in urls.items()}
    assert got["ok"] == ("ok", 200)
    assert got["missing"] == ("broken", 404)
    assert got["error"] == ("broken", 500)
    assert got["slow"] == ("error", None)
    assert "timeout" in results[urls["slow"]].error
    assert got["loop"] == ("error", None)
    assert "redirect" in results[urls["loop"]].error
    assert got["moved"] == ("redirect", 200)
    assert got["nohead"] == ("ok", 200)
    assert got["forbidden"] == ("ok", 200)
    assert got["tls"] == ("error", None)
    assert "tls" in results[urls["tls"]].error.lower() or "ssl" in results[urls["tls"]].error.lower()
    assert got["refused"] == ("error", None)
    # HEAD first, GET only where HEAD was refused
    assert ("GET", "/nohead") in http.hits and ("GET", "/ok") not in http.hits
    # the redirect loop stopped at the limit
    assert sum(1 for hit in http.hits if hit[1] == "/loop") <= 6


def test_per_host_politeness_bounds_parallel_requests(servers):
    http, _ = servers
    http.max_in_flight = 0
    urls = [f"{http.base_url}/pause?n={i}" for i in range(12)]
    results = asyncio.run(check_urls(urls, concurrency=10, per_host=2))
    assert {r.status for r in results.values()} == {"ok"}
    assert 1 <= http.max_in_flight <= 2


@pytest.mark.django_db
def test_links_check_stores_results_and_lowers_quality(servers):
    http, https = servers
    good = DatasetFactory(landing_url=f"{http.base_url}/ok", description="Well described. " * 20)
    bad = DatasetFactory(landing_url=f"{http.base_url}/missing", description="Well described. " * 20)
    tls = DatasetFactory(landing_url=f"{https.base_url}/ok")
    no_landing = DatasetFactory(landing_url="")
    dist_ok = DistributionFactory(dataset=no_landing, url=f"{http.base_url}/ok?file=1")
    dist_bad = DistributionFactory(dataset=no_landing, url=f"{http.base_url}/error")
    dist_of_bad = DistributionFactory(dataset=bad, url=f"{http.base_url}/slow")
    ids = [good.pk, bad.pk, tls.pk, no_landing.pk]

    report = links_check(dataset_ids=ids)

    assert report.datasets == 4
    assert report.urls == 6
    for obj in (good, bad, tls, no_landing, dist_ok, dist_bad, dist_of_bad):
        obj.refresh_from_db()
        assert obj.link_checked_at is not None
    assert (good.link_status, good.link_http_code) == ("ok", 200)
    assert (bad.link_status, bad.link_http_code) == ("broken", 404)
    assert tls.link_status == "error"
    assert no_landing.link_status == "ok"  # best of its distributions
    assert (dist_ok.link_status, dist_bad.link_status, dist_bad.link_http_code) == ("ok", "broken", 500)
    assert dist_of_bad.link_status == "error"
    # link health is part of the quality score: same content, broken link, lower score
    assert bad.quality_score < good.quality_score
    assert bad.link_is_broken and not good.link_is_broken


@pytest.mark.django_db
def test_stale_only_and_limit_pick_the_oldest_checks(servers, settings):
    http, _ = servers
    settings.LINK_CHECK_MAX_AGE_HOURS = 24
    fresh = DatasetFactory(landing_url=f"{http.base_url}/ok?fresh", link_status="ok", link_checked_at=timezone.now())
    old = DatasetFactory(
        landing_url=f"{http.base_url}/missing", link_status="ok", link_checked_at=timezone.now() - timedelta(days=3)
    )
    never = DatasetFactory(landing_url=f"{http.base_url}/ok?never")
    report = links_check(stale_only=True)
    assert report.datasets == 2
    fresh_before = fresh.link_checked_at
    for obj in (fresh, old, never):
        obj.refresh_from_db()
    assert fresh.link_checked_at == fresh_before
    assert old.link_status == "broken"
    assert never.link_status == "ok"

    Dataset.objects.update(link_checked_at=None)
    assert links_check(limit=1).datasets == 1


@pytest.mark.django_db
def test_command_and_task(servers, capsys):
    http, _ = servers
    dataset = DatasetFactory(landing_url=f"{http.base_url}/error")
    call_command("check_links", "--limit", "5")
    out = capsys.readouterr().out
    assert "Checked 1 URLs of 1 datasets" in out and "broken 1" in out
    dataset.refresh_from_db()
    assert (dataset.link_status, dataset.link_http_code) == ("broken", 500)

    from catalog.tasks import links_check_task

    Dataset.objects.update(link_checked_at=None)
    result = links_check_task.delay(stale_only=True).get(timeout=60)
    assert result["datasets"] == 1 and result["outcomes"] == {"broken": 1}


def test_beat_schedules_the_registered_link_check_task():
    from research_assistant.celery import app

    entry = app.conf.beat_schedule["catalog-links-check"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    assert entry["kwargs"] == {"stale_only": True}
