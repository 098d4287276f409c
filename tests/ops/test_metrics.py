"""GET /api/metrics: access control, Prometheus format, and numbers that add up across gunicorn workers."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from catalog import metrics as catalog_metrics
from conversation import metrics as conversation_metrics
from search import metrics as search_metrics
from tests.ops.conftest import server_env


def samples(text: str) -> dict[tuple[str, tuple], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def value(text: str, name: str, **labels) -> float:
    wanted = set(labels.items())
    return sum(v for (n, lab), v in samples(text).items() if n == name and wanted <= set(lab))


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user("ops-staff", password="pw-not-secret-1", is_staff=True)
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_metrics_need_staff_or_token(client, django_user_model, settings):
    settings.METRICS_TOKEN = "metrics-token-123456"
    assert client.get("/api/metrics").status_code == 401
    assert client.get("/api/metrics", HTTP_AUTHORIZATION="Bearer wrong-token").status_code == 401
    user = django_user_model.objects.create_user("plain", password="pw-not-secret-2")
    client.force_login(user)
    assert client.get("/api/metrics").status_code == 401
    client.logout()
    response = client.get("/api/metrics", HTTP_AUTHORIZATION="Bearer metrics-token-123456")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
def test_metrics_parse_and_change_after_requests(staff_client):
    before = staff_client.get("/api/metrics").content.decode()
    for _ in range(3):
        assert staff_client.get("/api/health/live").status_code == 200
    staff_client.get("/no-such-page/")
    search_metrics.observe_search(seconds=0.05, cached=False)
    search_metrics.cache_event(cache="search", hit=True)
    search_metrics.cache_event(cache="search", hit=False)
    conversation_metrics.llm_call(provider="openai", outcome="fallback")
    catalog_metrics.link_check(outcome="broken")
    search_metrics.set_index(version=7, size=123)
    after = staff_client.get("/api/metrics").content.decode()

    name = "ra_http_request_duration_seconds_count"
    live = {"view": "health-live", "method": "GET", "status": "200"}
    assert value(after, name, **live) - value(before, name, **live) == 3
    assert value(after, name, view="unmatched", status="404") - value(before, name, view="unmatched", status="404") == 1
    assert (
        value(after, "ra_search_duration_seconds_count", cached="false")
        - value(before, "ra_search_duration_seconds_count", cached="false")
        == 1
    )
    for result in ("hit", "miss"):
        assert (
            value(after, "ra_cache_requests_total", cache="search", result=result)
            - value(before, "ra_cache_requests_total", cache="search", result=result)
            == 1
        )
    assert (
        value(after, "ra_llm_calls_total", provider="openai", outcome="fallback")
        - value(before, "ra_llm_calls_total", provider="openai", outcome="fallback")
        == 1
    )
    assert (
        value(after, "ra_link_checks_total", outcome="broken") - value(before, "ra_link_checks_total", outcome="broken")
        == 1
    )
    assert "ra_search_index_size" in after and "ra_search_index_version" in after


@pytest.mark.django_db
def test_celery_task_outcomes_are_counted(staff_client):
    from research_assistant.celery import ping

    before = staff_client.get("/api/metrics").content.decode()
    assert ping.delay().get(timeout=30) == "pong"  # eager in-process: the same signals fire
    after = staff_client.get("/api/metrics").content.decode()
    key = {"task": "research_assistant.ping", "outcome": "success"}
    assert value(after, "ra_celery_tasks_total", **key) - value(before, "ra_celery_tasks_total", **key) == 1


def test_counts_add_up_across_gunicorn_workers(server_db_url, make_gunicorn):
    """Two workers, multi-process mode: every scrape shows all requests, whichever worker answers."""
    token = "scrape-token-abcdef"
    server = make_gunicorn(server_env(server_db_url, METRICS_TOKEN=token), workers=2)
    pids = set()
    with httpx.Client(base_url=server.url, timeout=10) as http:
        for _ in range(30):
            # a fresh connection each time, so both workers get requests
            response = httpx.get(f"{server.url}/api/health/live", headers={"Connection": "close"}, timeout=10)
            assert response.status_code == 200
        from concurrent.futures import ThreadPoolExecutor

        def pid(_):
            url = f"{server.url}/test/slow?seconds=0.2"
            return httpx.get(url, headers={"Connection": "close"}, timeout=30).json()["pid"]

        with ThreadPoolExecutor(max_workers=12) as pool:
            for _ in range(10):  # concurrent requests, until both workers have answered some
                pids.update(pool.map(pid, range(12)))
                if len(pids) == 2:
                    break
        scrapes = []
        for _ in range(4):
            response = http.get("/api/metrics", headers={"Authorization": f"Bearer {token}", "Connection": "close"})
            assert response.status_code == 200
            scrapes.append(value(response.text, "ra_http_request_duration_seconds_count", view="health-live"))
    assert len(pids) == 2, "both workers should have served requests"
    # 30 answered before the first scrape, plus the readiness polls gunicorn start-up made.
    assert scrapes[0] >= 30
    assert len(set(scrapes)) == 1, scrapes
