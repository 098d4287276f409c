"""A PostgreSQL connection dropped under a real gunicorn (``pg_terminate_backend``): between requests the
persistent connections are checked and replaced (CONN_HEALTH_CHECKS), so nothing fails; a request whose
query is cut answers a clean 503 with Retry-After, never a 500 page, and the next request succeeds."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from tests.ops.conftest import server_env, wait_for

pytestmark = pytest.mark.slow


def _terminate(dsn: str, *, query_like: str = "") -> int:
    """Terminate the server processes' backends on the test database (those running ``query_like`` if given)."""
    import psycopg
    from django.db import connection

    connection.ensure_connection()
    ours = connection.connection.info.backend_pid  # this test process's own connection (it flushes the tables)
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND pid <> %s AND query ILIKE %s",
            [ours, f"%{query_like}%"],
        ).fetchall()
    return len(rows)


def _traffic(client: httpx.Client, n: int) -> list[httpx.Response]:
    responses = []
    for _ in range(n):
        responses.append(client.get("/"))
        responses.append(client.get("/api/health"))
        responses.append(client.get("/api/conversations"))
    return responses


@pytest.fixture
def postgres_url(server_db_url):
    if not server_db_url.startswith("postgres"):
        pytest.skip("a dropped PostgreSQL connection needs PostgreSQL (DATABASE_URL)")
    return server_db_url


def test_connections_dropped_between_requests_are_replaced_without_an_error(
    postgres_url, transactional_db, make_gunicorn
):
    # Production keeps connections open between requests (DB_CONN_MAX_AGE=60 there).
    env = server_env(postgres_url, DB_CONN_MAX_AGE="60", API_THROTTLE_ANON="100000/min", API_THROTTLE_USER="100000/min")
    server = make_gunicorn(env, workers=2)
    with httpx.Client(base_url=server.url, timeout=60) as client:
        assert {r.status_code for r in _traffic(client, 4)} == {200}
        assert _terminate(postgres_url) >= 1  # the workers' idle persistent connections
        after = _traffic(client, 4)
    assert [r.status_code for r in after if r.status_code != 200] == [], [r.text[:200] for r in after]


def test_a_connection_dropped_mid_request_answers_503_with_retry_after_then_recovers(
    postgres_url, transactional_db, make_gunicorn
):
    env = server_env(postgres_url, DB_CONN_MAX_AGE="60", API_THROTTLE_ANON="100000/min", API_THROTTLE_USER="100000/min")
    server = make_gunicorn(env, workers=2)
    with httpx.Client(base_url=server.url, timeout=60) as client:
        results: list[httpx.Response] = []
        request = threading.Thread(target=lambda: results.append(client.get("/test/db-sleep", params={"seconds": 20})))
        request.start()
        wait_for(lambda: _terminate(postgres_url, query_like="pg_sleep"), timeout=30, interval=0.2)
        request.join(timeout=60)
        cut = results[0]
        assert cut.status_code == 503, cut.text[:500]
        assert int(cut.headers["Retry-After"]) > 0
        assert "Traceback" not in cut.text

        # The same for API clients: JSON. And under steady traffic with backends killed repeatedly, only
        # requests whose query was cut fail, with 503; every request afterwards succeeds.
        stop = threading.Event()
        seen: list[httpx.Response] = []

        def hammer() -> None:
            with httpx.Client(base_url=server.url, timeout=60) as http:
                while not stop.is_set():
                    seen.extend(_traffic(http, 1))

        threads = [threading.Thread(target=hammer) for _ in range(3)]
        for thread in threads:
            thread.start()
        try:
            deadline = time.monotonic() + 6
            while time.monotonic() < deadline:
                _terminate(postgres_url)
                time.sleep(0.3)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
        statuses = sorted({r.status_code for r in seen})
        print(f"\n{len(seen)} requests while backends were killed: statuses {statuses}, "
              f"503s {sum(r.status_code == 503 for r in seen)}")  # fmt: skip
        assert set(statuses) <= {200, 503}, [
            (r.status_code, r.text[:200]) for r in seen if r.status_code not in (200, 503)
        ]
        cut = [r for r in seen if r.status_code == 503 and r.url.path != "/api/health"]  # its 503 is its answer
        assert all(r.headers.get("Retry-After") for r in cut)
        assert all(r.json()["detail"] for r in cut if r.url.path.startswith("/api/"))
        assert {r.status_code for r in _traffic(client, 3)} == {200}
