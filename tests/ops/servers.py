"""Local servers for the operations tests and bench: an HTTP(S) link target, throwaway redis-servers,
gunicorn and Celery worker processes."""

from __future__ import annotations

import contextlib
import http.server
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent.parent


def free_port(start: int = 0) -> int:
    """A free TCP port (>= start when given, else any)."""
    if start:
        for port in range(start, start + 200):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
        raise RuntimeError("no free port")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LinkHandler(http.server.BaseHTTPRequestHandler):
    """/ok 200, /missing 404, /error 500, /slow (sleeps), /loop (redirects to itself),
    /moved (302 -> /ok), /nohead (HEAD 405, GET 200), /forbidden-head (HEAD 403, GET 200)."""

    protocol_version = "HTTP/1.1"
    slow_seconds = 5.0

    def log_message(self, *args):  # quiet
        pass

    def _send(self, code: int, headers: dict | None = None, body: bytes = b"") -> None:
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def _route(self) -> None:
        path = self.path.split("?", 1)[0]
        self.server.hits.append((self.command, path))  # type: ignore[attr-defined]
        if path.startswith("/ok"):
            self._send(200, {"Content-Type": "text/plain"}, b"ok")
        elif path == "/missing":
            self._send(404, body=b"not found")
        elif path == "/error":
            self._send(500, body=b"boom")
        elif path.startswith("/pause"):  # tracks how many requests are in flight at once
            with self.server.lock:  # type: ignore[attr-defined]
                self.server.in_flight += 1  # type: ignore[attr-defined]
                self.server.max_in_flight = max(self.server.max_in_flight, self.server.in_flight)  # type: ignore[attr-defined]
            time.sleep(0.1)
            with self.server.lock:  # type: ignore[attr-defined]
                self.server.in_flight -= 1  # type: ignore[attr-defined]
            self._send(200, body=b"ok")
        elif path == "/slow":
            time.sleep(self.slow_seconds)
            self._send(200, body=b"late")
        elif path == "/loop":
            self._send(302, {"Location": "/loop"})
        elif path == "/moved":
            self._send(301, {"Location": "/ok"})
        elif path in {"/nohead", "/forbidden-head"}:
            if self.command == "HEAD":
                self._send(405 if path == "/nohead" else 403)
            else:
                self._send(200, body=b"fine")
        else:
            self._send(404)

    do_HEAD = _route
    do_GET = _route


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def handle_error(self, request, client_address):  # clients hanging up (timeouts, TLS refusals) are expected
        pass


@contextlib.contextmanager
def link_server(*, tls_cert: tuple[str, str] | None = None, host: str = "127.0.0.1"):
    """Yield a threaded HTTP (or HTTPS with a self-signed cert) server; ``server.base_url`` is its URL."""
    server = _Server((host, 0), LinkHandler)
    server.hits = []  # type: ignore[attr-defined]
    server.lock = threading.Lock()  # type: ignore[attr-defined]
    server.in_flight = server.max_in_flight = 0  # type: ignore[attr-defined]
    scheme = "http"
    if tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls_cert)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        server.base_url = f"{scheme}://127.0.0.1:{server.server_address[1]}"
        server.port = server.server_address[1]  # type: ignore[attr-defined]
        yield server
    finally:
        server.shutdown()
        server.server_close()


def self_signed_cert(directory: str) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 made with openssl (no trusted CA signs it)."""
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
         "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


class RedisServer:
    """A throwaway redis-server on a spare port (>= 6390), stoppable and restartable."""

    def __init__(self, port: int | None = None):
        if not shutil.which("redis-server"):
            raise RuntimeError("redis-server not installed")
        self.port = port or free_port(6390)
        self.dir = tempfile.mkdtemp(prefix="ra-redis-")
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


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
            "WARM_UP": env.get("WARM_UP", "0"),  # loading the model at start is tested where it matters
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
             "--loglevel=INFO", "--without-gossip", "--without-mingle", "-Q", "default,embeddings,previews,celery",
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

    def crash(self) -> None:
        """SIGKILL the worker and its pool children at once (a machine or OOM kill: nothing is acknowledged)."""
        if self.proc is None:
            return
        kill_tree(self.proc.pid)
        self.proc.wait(timeout=10)
        self._log.close()
        self.proc = None


class CeleryBeat(CeleryWorker):
    """A real `celery beat` process (the production scheduler: django-celery-beat's, in the database)."""

    def start(self) -> CeleryBeat:
        self.log_path = self.dir / "beat.log"
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self._log = log
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "research_assistant", "beat", "--loglevel=INFO",
             "--pidfile", str(self.dir / "beat.pid")],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        return self


def kill_tree(pid: int) -> None:
    """SIGKILL a process and all its descendants together."""
    import psutil

    try:
        parent = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    for proc in [parent, *parent.children(recursive=True)]:  # the parent first: it must not respawn a child
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.send_signal(signal.SIGKILL)
