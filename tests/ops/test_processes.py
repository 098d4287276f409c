"""Behaviour that needs several real processes: rate limits shared through Redis, graceful SIGTERM."""

from __future__ import annotations

import signal
import threading

import httpx

from tests.ops.conftest import server_env, wait_for


def test_rate_limit_holds_across_two_server_processes(server_db_url, redis_server, make_gunicorn):
    env = server_env(server_db_url, REDIS_URL=redis_server.url, API_THROTTLE_ANON="5/min", API_THROTTLE_USER="100/min")
    first, second = make_gunicorn(env), make_gunicorn(env)
    redis_server_flush(redis_server)
    codes = []
    retry_after = None
    for i in range(8):
        server = first if i % 2 == 0 else second
        response = httpx.get(f"{server.url}/api/datasets/999999/similar", timeout=20)
        codes.append(response.status_code)
        if response.status_code == 429:
            retry_after = retry_after or response.headers.get("Retry-After")
    # The real (throttled) similar-datasets API: 404 for a missing dataset until the shared limit.
    assert 429 not in codes[:5], codes
    assert codes[5:] == [429, 429, 429], codes
    assert retry_after is not None and 1 <= int(retry_after) <= 60


def redis_server_flush(redis_server) -> None:
    import redis

    redis.Redis.from_url(redis_server.url).flushdb()


def test_sigterm_lets_an_in_flight_request_finish(server_db_url, make_gunicorn, tmp_path):
    server = make_gunicorn(server_env(server_db_url))
    marker = tmp_path / "in-flight"
    result: dict = {}

    def slow_request():
        try:
            response = httpx.get(f"{server.url}/test/slow", params={"seconds": "3", "marker": str(marker)}, timeout=30)
            result["status"], result["body"] = response.status_code, response.json()
        except Exception as exc:  # recorded for the assertion below
            result["error"] = repr(exc)

    thread = threading.Thread(target=slow_request)
    thread.start()
    wait_for(marker.exists, timeout=30, interval=0.05)  # the request is inside the view now
    server.proc.send_signal(signal.SIGTERM)
    thread.join(timeout=30)
    exit_code = server.proc.wait(timeout=30)
    assert result.get("status") == 200, result
    assert result["body"]["status"] == "done"
    assert exit_code == 0
    assert "Handling signal: term" in server.log()


def test_request_id_follows_the_request_into_its_celery_task(server_db_url, redis_server, make_gunicorn, make_worker):
    import uuid

    env = server_env(server_db_url, REDIS_URL=redis_server.url, METRICS_TOKEN="scrape-token-0123456789")
    server = make_gunicorn(env)
    # The worker shares the web's metrics directory, as the systemd units do.
    worker = make_worker(env | {"PROMETHEUS_MULTIPROC_DIR": str(server.metrics_dir)})
    rid = f"trace-ops-{uuid.uuid4().hex[:12]}"
    response = httpx.get(f"{server.url}/test/queue-link-check", headers={"X-Request-ID": rid}, timeout=90)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["X-Request-ID"] == rid
    assert response.json()["result"]["datasets"] == 0
    # The worker's own log line for the task carries the id of the request that queued it.
    line = wait_for(lambda: next((ln for ln in worker.log().splitlines() if "link check:" in ln), None), timeout=30)
    assert f"[{rid}]" in line
    # ...and its outcome, counted in the worker process, shows up in the web's /api/metrics.
    from tests.ops.test_metrics import value

    scrape = httpx.get(f"{server.url}/api/metrics", headers={"Authorization": "Bearer scrape-token-0123456789"})
    assert value(scrape.text, "ra_celery_tasks_total", task="catalog.links_check", outcome="success") == 1
