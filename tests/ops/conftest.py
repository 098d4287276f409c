"""Fixtures for the operations tests: real gunicorn servers, throwaway redis-servers, a Celery worker."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, _database_url_for_test_db
from tests.ops.servers import CeleryBeat, CeleryWorker, Gunicorn, RedisServer

SERVER_SETTINGS = "tests.ops.settings"


@pytest.fixture(scope="session")
def server_db_url(test_database, tmp_path_factory) -> str:
    """A migrated database the server processes can share: the test database, or an SQLite file
    (an in-memory SQLite test database cannot be shared between processes)."""
    from django.db import connections

    if not connections["default"].settings_dict["ENGINE"].endswith("sqlite3"):
        return _database_url_for_test_db()
    path = tmp_path_factory.mktemp("ops-db") / "ops.sqlite3"
    url = f"sqlite:///{path}"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=server_env(url),
        check=True,
        timeout=300,
    )
    return url


def server_env(database_url: str, **overrides: str) -> dict[str, str]:
    # Server processes get a production-like environment: no test-only switches leak into them
    # (DJANGO_ALLOW_ASYNC_UNSAFE is set for the Playwright tests in tests/web/conftest.py).
    dropped = {"REDIS_URL", "CELERY_TASK_ALWAYS_EAGER", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        DJANGO_SETTINGS_MODULE=SERVER_SETTINGS,
        DATABASE_URL=database_url,
        PYTHONPATH=str(ROOT),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def wait_for(predicate, timeout: float = 60, interval: float = 0.25):
    """Poll until predicate() is truthy (returns it) or fail after timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last value: {last!r})")


@pytest.fixture
def redis_server():
    try:
        server = RedisServer()
    except RuntimeError as exc:
        pytest.skip(str(exc))
    with server:
        yield server


@pytest.fixture
def make_gunicorn():
    started: list[Gunicorn] = []

    def make(env: dict[str, str], *, workers: int = 1, ready_timeout: float = 90) -> Gunicorn:
        server = Gunicorn(env, workers=workers).start(ready_timeout=ready_timeout)
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def make_worker():
    started: list[CeleryWorker] = []

    def make(env: dict[str, str]) -> CeleryWorker:
        worker = CeleryWorker(env).start()
        started.append(worker)
        return worker

    yield make
    for worker in started:
        worker.stop()


@pytest.fixture
def make_beat():
    started: list[CeleryBeat] = []

    def make(env: dict[str, str]) -> CeleryBeat:
        beat = CeleryBeat(env).start()
        started.append(beat)
        return beat

    yield make
    for beat in started:
        beat.stop()


@pytest.fixture
def fresh_index(transactional_db):
    """No index published yet in the shared test database (as on a new deployment): the test's own import
    builds the first version in the test's INDEX_DIR, whatever earlier tests left in the database."""
    from search.models import IndexChange, IndexSnapshotFile, IndexState

    IndexState.objects.all().delete()
    IndexChange.objects.all().delete()
    IndexSnapshotFile.objects.all().delete()
