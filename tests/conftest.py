"""Shared fixtures: cache isolation and a real Celery worker process over Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SHARED_DIR", ROOT.parent / "shared"))
# The database the settings name, before pytest-django swaps in the test database (``test_database``).
CONFIGURED_DB_NAME = settings.DATABASES["default"]["NAME"]
# The full /api/health report (components, process figures) needs staff or the metrics token.
HEALTH_AUTH = {"Authorization": f"Bearer {settings.METRICS_TOKEN}"}


# Fixtures that load the embedding model, in this process (a catalog embedded and indexed for real)
# or in the gunicorn / Celery processes they start (each warms the model up): every test that uses
# one, directly or through another fixture, is `slow`, so `make test-fast` leaves it out.
SLOW_FIXTURES = frozenset(
    {
        "catalog",  # tests/conversation, tests/search (through _catalog_ids)
        "catalog_committed",  # tests/conversation
        "_catalog_ids",  # tests/search
        "web_catalog",  # tests/web
        "indexed",  # tests/web/test_views.py
        "make_gunicorn",  # tests/ops
        "make_worker",  # tests/ops
        "make_beat",  # tests/ops
        "celery_worker_process",  # the real worker (also marked `worker`)
    }
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())) and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared data not found at {SHARED}")
    return SHARED


def _database_url_for_test_db() -> str:
    from django.db import connections

    s = connections["default"].settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    user = s.get("USER") or ""
    auth = f"{user}:{s['PASSWORD']}@" if s.get("PASSWORD") else (f"{user}@" if user else "")
    return f"postgres://{auth}{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


@pytest.fixture(scope="session")
def test_database(django_db_setup, django_db_blocker):
    """The test database, for fixtures that hand it to other processes without touching it here.

    pytest-django creates it only when a collected test asks for database access (``db``, a ``django_db``
    marker): a run of, say, ``tests/ops/test_faults.py`` alone would otherwise give the servers the
    development database's name. Then it is created here, and dropped at the end of the session.
    """
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    if connections["default"].settings_dict["NAME"] != CONFIGURED_DB_NAME:  # pytest-django made it already
        yield
        return
    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    yield
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=0)


@pytest.fixture(scope="session")
def celery_worker_process(test_database, django_db_blocker):
    """A real `celery worker` process on the Redis broker, using the test database."""
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL: the real worker runs on the production stack")
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url_for_test_db(),
        "INDEX_DIR": str(settings.INDEX_DIR),
        "RA_TEST_INDEX_DIR": str(settings.INDEX_DIR),
        "PYTHONPATH": str(ROOT),
    }
    log = open(ROOT / "var" / f"test-worker-{os.getpid()}.log", "w")  # noqa: SIM115 - lives as long as the worker
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "research_assistant",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            "default,embeddings,previews,celery",
            "-n",
            f"test-worker-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    from research_assistant.celery import app, ping

    deadline = time.monotonic() + 90
    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail("celery worker exited during start-up")
            try:
                if ping.apply_async().get(timeout=2) == "pong":
                    break
            except Exception:
                if time.monotonic() > deadline:
                    proc.terminate()
                    pytest.fail("celery worker did not answer within 90 s")
    finally:
        app.conf.task_always_eager = was_eager
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def celery_worker(celery_worker_process, transactional_db):
    """Send tasks to the real worker for the duration of one (transactional) test."""
    from research_assistant.celery import app

    app.conf.task_always_eager = False
    yield celery_worker_process
    app.conf.task_always_eager = True
