"""Fixtures for the operations tests: real gunicorn servers, throwaway redis-servers, a Celery worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, _database_url_for_test_db
from tests.ops.servers import RedisServer, free_port

SERVER_SETTINGS = "tests.ops.settings"


@pytest.fixture(scope="session")
def server_db_url(django_db_setup, django_db_blocker, tmp_path_factory) -> str:
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
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_TASK_ALWAYS_EAGER"}}
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


class Gunicorn:
    """A gunicorn master started with deploy/gunicorn.conf.py, stdout/stderr in a log file."""

    def __init__(self, env: dict[str, str], *, workers: int = 1, port: int | None = None):
        self.port = port or free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="ra-gunicorn-"))
        self.log_path = self.dir / "server.log"
        self.metrics_dir = self.dir / "prometheus"
        self.env = env | {
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(workers),
            "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir),
            "GUNICORN_GRACEFUL_TIMEOUT": env.get("GUNICORN_GRACEFUL_TIMEOUT", "20"),
        }
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, ready_timeout: float = 90) -> Gunicorn:
        self.metrics_dir.mkdir(exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self._log = log
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "research_assistant.wsgi"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start-up:\n{self.log()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/api/health/live", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer:\n{self.log()[-3000:]}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        code = self.proc.returncode
        self.proc = None
        self._log.close()
        return code


class CeleryWorker:
    """A real `celery worker` process (prefork, 1 child) with its own log file."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.dir = Path(tempfile.mkdtemp(prefix="ra-worker-"))
        self.log_path = self.dir / "worker.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> CeleryWorker:
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self._log = log
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "research_assistant", "worker", "--concurrency=1",
             "--loglevel=INFO", "--without-gossip", "--without-mingle", "-Q", "default,embeddings,celery",
             "-n", f"ops-worker-{os.getpid()}-{time.monotonic_ns()}@%h"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc is not None:
            self._log.close()
        self.proc = None


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

    def make(env: dict[str, str], *, workers: int = 1) -> Gunicorn:
        server = Gunicorn(env, workers=workers).start()
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
