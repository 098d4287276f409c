"""Index faults on the production stack pieces (real gunicorn, Celery worker and beat, redis-server, the
test database): a worker killed with SIGKILL in the middle of an index rebuild, and index files corrupted
under a serving gunicorn. The catalog is imported by ``manage.py import_catalog`` (its re-indexing goes to
the real broker), never through patched functions."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import httpx
import pytest
import redis

from tests.conftest import HEALTH_AUTH, ROOT
from tests.ops.conftest import server_env, wait_for

pytestmark = pytest.mark.slow

NEW_DATASETS = 300
LOCK_KEY = "ra:1:search:index:rebuild-lock"  # django-redis key of search.indexing.REBUILD_LOCK_KEY


def _corpus(path, names: list[str]):
    lines = [
        json.dumps({"id": name, "name": name, "description": f"{name}: field counts of a survey.", "variants": [name]})
        for name in names
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _import(env: dict, path) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "import_catalog", str(path), "--format", "datafinder", "--no-progress"],
        cwd=ROOT, env=env, check=True, timeout=300, capture_output=True,
    )  # fmt: skip


def _index_report(client: httpx.Client) -> dict:
    return client.get("/api/health", headers=HEALTH_AUTH).json()["components"]["search_index"]


def _found(client: httpx.Client, query: str, title: str) -> bool:
    response = client.get("/api/search", params={"q": query, "top_k": 20})
    assert response.status_code == 200, response.text[:500]
    return title in {hit["title"] for hit in response.json()["results"]}


def test_a_worker_killed_mid_rebuild_leaves_an_index_that_says_so_and_catches_up(
    server_db_url, fresh_index, redis_server, make_gunicorn, make_worker, make_beat, tmp_path
):
    # 300 changes are past the compaction threshold (and too many for a delta): they need a full build.
    env = server_env(server_db_url, REDIS_URL=redis_server.url, RA_TEST_INDEX_DIR=str(tmp_path / "index"),
                     SEARCH_DELTA_COMPACT_AT="100")  # fmt: skip
    worker = make_worker(env)
    _import(env, _corpus(tmp_path / "first.jsonl", [f"Wombat census {i}" for i in range(10)]))
    server = make_gunicorn(env)
    with httpx.Client(base_url=server.url, timeout=60) as client:
        wait_for(lambda: _index_report(client)["ready"], timeout=120, interval=1)
        assert _found(client, "wombat census 3", "Wombat census 3")

        # 300 new datasets: the worker embeds them (two batches), then rebuilds the index under its lock.
        names = [f"Quokka sighting log {i}" for i in range(NEW_DATASETS)]
        _import(env, _corpus(tmp_path / "second.jsonl", names))
        lock = redis.Redis.from_url(redis_server.url)
        wait_for(lambda: lock.exists(LOCK_KEY), timeout=180, interval=0.01)
        worker.crash()  # kill -9 the worker and its pool child while the rebuild holds the lock
        killed_at = time.monotonic()

        # The index lags: health does not call it fine; readiness stays 200, as the older version still
        # serves (every node out of the load balancer during an import would be an outage).
        report = _index_report(client)
        assert report["ready"] is False and report["status"] == "degraded", report
        assert "behind the catalog" in report["reason"] or "waiting to be embedded" in report["reason"], report
        assert client.get("/api/health/ready").status_code == 200
        assert client.get("/api/health").json()["status"] == "degraded"
        assert not _found(client, "quokka sighting log", names[-1])

        # A new worker and the beat: the catch-up redoes the build once the dead worker's lock expires.
        make_worker(env)
        make_beat(env)
        wait_for(lambda: _index_report(client)["ready"], timeout=120, interval=1)
        assert time.monotonic() - killed_at < 120
        report = _index_report(client)
        assert report["size"] == 10 + NEW_DATASETS, report
        assert _found(client, "quokka sighting log 299", names[-1])
        assert client.get("/api/health/ready").status_code == 200


def _corrupt(directory, *, truncate: bool = False) -> None:
    """Overwrite every file of an index version with noise and drop its BM25 index. In place (same sizes)
    while a process maps the files (a mapped file that shrinks kills its reader with SIGBUS); halved when
    ``truncate`` (nothing serves)."""
    import os
    import shutil

    for path in sorted(directory.rglob("*")):
        if path.is_file():
            size = path.stat().st_size
            with open(path, "r+b") as fh:
                fh.write(os.urandom(size))
                if truncate:
                    fh.truncate(size // 2)
    shutil.rmtree(directory / "lexical", ignore_errors=True)


def _latest_version(index_dir):
    return max((p for p in index_dir.glob("v*") if p.name[1:].isdigit()), key=lambda p: int(p.name[1:]))


class _Traffic:
    """Three clients searching (a new query each time: the cache must not hide the index) and asking readiness."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.searches: list[tuple[float, int, bool]] = []
        self.readiness: list[tuple[float, int, str]] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,)) for i in range(3)]

    def _run(self, k: int) -> None:
        with httpx.Client(base_url=self.base_url, timeout=60) as http:
            n = 0
            while not self.stop.is_set():
                n += 1
                try:
                    r = http.get("/api/search", params={"q": f"wombat census {n % 40} survey {k}-{n}"})
                    found = r.status_code == 200 and any(h["title"].startswith("Wombat") for h in r.json()["results"])
                    self.searches.append((time.monotonic(), r.status_code, found))
                    ready = http.get("/api/health/ready")
                    self.readiness.append((time.monotonic(), ready.status_code, ready.text))
                except httpx.TransportError:
                    self.searches.append((time.monotonic(), 0, False))
                    time.sleep(0.2)

    def __enter__(self) -> _Traffic:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=90)

    def summary(self, since: float) -> str:
        searches = [s for s in self.searches if s[0] > since]
        return (
            f"{len(searches)} searches, statuses {sorted({s[1] for s in searches})}, "
            f"{sum(not s[2] for s in searches)} without results; readiness "
            f"{sorted({(r[1], r[2]) for r in self.readiness if r[0] > since})}"
        )


def test_a_corrupted_index_is_rebuilt_while_gunicorn_serves_and_readiness_says_so(
    server_db_url, fresh_index, make_gunicorn, tmp_path
):
    index_dir = tmp_path / "index"
    # Embedded mode (no Redis): the import embeds and indexes in-process.
    env = server_env(
        server_db_url, RA_TEST_INDEX_DIR=str(index_dir), API_THROTTLE_ANON="100000/min", API_THROTTLE_USER="100000/min"
    )
    _import(env, _corpus(tmp_path / "catalog.jsonl", [f"Wombat census {i}" for i in range(40)]))
    server = make_gunicorn(env, workers=2)
    with httpx.Client(base_url=server.url, timeout=60) as client:
        assert _found(client, "wombat census 3", "Wombat census 3")

        # 1. Files corrupted under the workers serving them: the next search that trips on them checks the
        #    version, rebuilds it from the database and answers from the rebuilt copy.
        with _Traffic(server.url) as traffic:
            time.sleep(2)
            corrupted_at = time.monotonic()
            _corrupt(_latest_version(index_dir))
            wait_for(lambda: _found(client, "wombat census 7", "Wombat census 7"), timeout=60, interval=0.5)
            served_again = time.monotonic() - corrupted_at
            time.sleep(3)
        print(f"\nlive corruption: served again after {served_again:.1f}s; {traffic.summary(corrupted_at)}")
        assert served_again < 60
        assert not [s for s in traffic.searches if s[1] >= 500 or s[1] == 0], traffic.summary(corrupted_at)
        assert all(s[2] for s in traffic.searches if s[0] > corrupted_at + served_again)

    # 2. Files corrupted (and cut short) while the server is down: the new processes find them broken.
    #    Production warm-up (WARM_UP=1) loads the index before a worker serves: it finds the files broken and
    #    rebuilds them from the database first.
    server.stop()
    _corrupt(_latest_version(index_dir), truncate=True)
    booted = time.monotonic()
    server = make_gunicorn(env | {"WARM_UP": "1"}, workers=2, ready_timeout=300)  # a loaded CI host is slow to warm
    with httpx.Client(base_url=server.url, timeout=60) as client, _Traffic(server.url) as traffic:
        started = time.monotonic()
        wait_for(lambda: _found(client, "wombat census 7", "Wombat census 7"), timeout=60, interval=0.5)
        served_again = time.monotonic() - started
        print(f"\nrestart: gunicorn up (warmed) after {started - booted:.1f}s")
        time.sleep(3)
        report = _index_report(client)
    print(f"restart on corrupt files: served after {served_again:.1f}s; {traffic.summary(started)}")
    assert not [s for s in traffic.searches if s[1] >= 500 or s[1] == 0], traffic.summary(started)
    # Readiness never said ready while a search found nothing.
    unserved = [s[0] for s in traffic.searches if not s[2]]
    for at, code, _ in traffic.readiness:
        if code == 200:
            assert not [t for t in unserved if t > at], "readiness said 200 before searches served"
    assert report["ready"] is True, report
