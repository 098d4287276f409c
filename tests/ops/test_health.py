"""Health: components, and what happens when Redis, the worker or the database go away (real processes)."""

from __future__ import annotations

import socket
import threading

import httpx
import pytest

from tests.conftest import HEALTH_AUTH
from tests.ops.conftest import server_env, wait_for


@pytest.mark.django_db
def test_health_reports_every_component_and_process_figures(client):
    response = client.get("/api/health", headers=HEALTH_AUTH)
    assert response.status_code == 200
    data = response.json()
    assert set(data["components"]) >= {
        "database", "cache", "broker", "workers", "search_index", "embedding_model", "llm",
    }  # fmt: skip
    for name, component in data["components"].items():
        assert component["status"] in {"ok", "degraded", "down"}, name
        assert component["latency_ms"] >= 0
    assert data["components"]["database"]["required"] is True
    assert data["components"]["cache"]["required"] is False
    assert data["components"]["cache"]["status"] == "ok"
    assert "loaded" in data["components"]["embedding_model"]
    assert any(p["name"] == "builtin" for p in data["components"]["llm"]["providers"])
    assert data["uptime_seconds"] >= 0
    assert data["version"]
    process = data["process"]
    assert process["memory_rss_bytes"] > 0
    assert process["disk_free_bytes"] > 0
    assert "cpu_percent" in process


def test_live_answers_without_touching_dependencies(client):
    response = client.get("/api/health/live")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def _health(server) -> tuple[int, dict]:
    response = httpx.get(f"{server.url}/api/health", timeout=15, headers=HEALTH_AUTH)
    return response.status_code, response.json()


def test_health_follows_redis_and_worker_through_outages(server_db_url, redis_server, make_gunicorn, make_worker):
    # Generous timeouts: this test is about outcomes; a loaded CI machine must not read as an outage.
    env = server_env(
        server_db_url,
        REDIS_URL=redis_server.url,
        HEALTH_WORKER_PING_SECONDS="1.5",
        HEALTH_REDIS_TIMEOUT_SECONDS="1.0",
        HEALTH_TIMEOUT_SECONDS="3.0",
    )
    worker = make_worker(env)
    server = make_gunicorn(env)

    # All up: the worker answers a ping (give it time to boot).
    def worker_ok():
        code, data = _health(server)
        return (code, data) if data["components"]["workers"]["status"] == "ok" else None

    code, data = wait_for(worker_ok, timeout=90)
    assert code == 200
    assert data["components"]["workers"]["workers"] >= 1
    # Everything but the search index (not built in a test database: "degraded", not "down") is ok.
    not_ok = {n for n, c in data["components"].items() if c["status"] != "ok"}
    assert not_ok <= {"search_index"}, data["components"]
    assert data["status"] == ("ok" if not not_ok else "degraded")

    # The worker goes away: still serving (200), degraded, workers down.
    worker.stop()
    code, data = _health(server)
    assert code == 200
    assert data["status"] == "degraded"
    assert data["components"]["workers"]["status"] == "down"
    assert data["components"]["broker"]["status"] == "ok"

    # Redis stops: cache, broker and workers down, still 200/degraded, the database still ok.
    redis_server.stop()
    code, data = _health(server)
    assert code == 200
    assert data["status"] == "degraded"
    for name in ("cache", "broker", "workers"):
        assert data["components"][name]["status"] == "down", name
    assert data["components"]["database"]["status"] == "ok"
    assert httpx.get(f"{server.url}/api/health/live", timeout=5).status_code == 200

    # Redis back: cache and broker recover without restarting the web server.
    redis_server.start()
    code, data = wait_for(lambda: (r := _health(server)) and r[1]["components"]["cache"]["status"] == "ok" and r)
    assert data["components"]["broker"]["status"] == "ok"


def test_hung_redis_does_not_hang_health(server_db_url, make_gunicorn):
    """A Redis that accepts connections and never answers: the endpoint still returns, degraded."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)  # accepts via the backlog, never reads or writes
    accepted = []
    stop = threading.Event()

    def swallow():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                accepted.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=swallow, daemon=True)
    thread.start()
    try:
        port = listener.getsockname()[1]
        server = make_gunicorn(server_env(server_db_url, REDIS_URL=f"redis://127.0.0.1:{port}/0"))
        code, data = _health(server)  # httpx timeout 15 s: a hang would fail here
        assert code == 200
        assert data["status"] == "degraded"
        for name in ("cache", "broker", "workers"):
            assert data["components"][name]["status"] == "down", name
        assert data["components"]["database"]["status"] == "ok"
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in accepted:
            conn.close()
        listener.close()


def test_health_is_503_when_the_database_is_down(tmp_path, make_gunicorn):
    """A required component failing: 503 "down"; liveness still 200, readiness 503."""
    port = socket.socket()
    port.bind(("127.0.0.1", 0))
    dead = port.getsockname()[1]
    port.close()  # nothing listens there
    server = make_gunicorn(server_env(f"postgres://postgres@127.0.0.1:{dead}/nowhere"))
    code, data = _health(server)
    assert code == 503
    assert data["status"] == "down"
    assert data["components"]["database"]["status"] == "down"
    assert httpx.get(f"{server.url}/api/health/live", timeout=5).status_code == 200
    assert httpx.get(f"{server.url}/api/health/ready", timeout=10).status_code == 503
