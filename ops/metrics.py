"""Metrics exposition (Prometheus), correct under several gunicorn workers and Celery processes.

This module owns the cross-cutting metrics (HTTP requests, Celery tasks), the scrape endpoint and
the collector registry. Each app defines its own metrics in ``<app>/metrics.py`` with
prometheus-client and, in ``AppConfig.ready()``, registers collectors here: callables run before
each scrape to refresh gauges (e.g. the search index size). Domain code never imports ``ops``.

Multi-process mode: prometheus-client switches to it when the environment variable
``PROMETHEUS_MULTIPROC_DIR`` names a writable directory *before* the first metric is created
(``deploy/gunicorn.conf.py`` sets a default and cleans stale files; give the web and worker
services the same directory). Each process then writes its samples to mmap files in that
directory and ``GET /api/metrics`` aggregates them, so the numbers are the same whichever
worker answers the scrape. Without the variable (``runserver``, tests) the in-process default
registry is used.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import os
import time
from collections.abc import Callable

import psutil
from celery import signals
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

logger = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

HTTP_REQUEST_SECONDS = Histogram(
    "ra_http_request_duration_seconds",
    "Time to answer an HTTP request, by resolved view name, method and status code.",
    ["view", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
CELERY_TASKS = Counter(
    "ra_celery_tasks_total",
    "Celery task outcomes (success, failure, retry, revoked, rejected), by task name.",
    ["task", "outcome"],
)
CELERY_TASK_SECONDS = Histogram(
    "ra_celery_task_duration_seconds", "Celery task run time, by task name.", ["task"], buckets=LATENCY_BUCKETS
)

_CELERY_OUTCOMES = {"success", "failure", "retry", "revoked", "rejected"}


# --- Collectors registered by the apps --------------------------------------------------------

_COLLECTORS: dict[str, Callable[[], None]] = {}


def register_collector(name: str, collect: Callable[[], None]) -> None:
    """Run ``collect()`` before every scrape (called from an app's ``AppConfig.ready()``)."""
    _COLLECTORS[name] = collect


def collect() -> None:
    for name, fn in _COLLECTORS.items():
        try:
            fn()
        except Exception:  # a collector must never break the scrape
            logger.warning("metrics collector %s failed", name, exc_info=True)


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def observe_request(*, view: str, method: str, status: int, seconds: float) -> None:
    """One HTTP request (called by ``MetricsMiddleware``). Labels stay bounded: view names, not paths."""
    method = method if method in _METHODS else "other"
    HTTP_REQUEST_SECONDS.labels(view=view, method=method, status=str(status)).observe(max(0.0, seconds))


def celery_task_outcome(*, task: str, outcome: str, seconds: float | None = None) -> None:
    """One Celery task finished (called by the signal handlers below)."""
    CELERY_TASKS.labels(task=task or "unknown", outcome=outcome if outcome in _CELERY_OUTCOMES else "other").inc()
    if seconds is not None:
        CELERY_TASK_SECONDS.labels(task=task or "unknown").observe(max(0.0, seconds))


# --- Exposition --------------------------------------------------------------------------------


def multiprocess_dir() -> str | None:
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return path if path and os.path.isdir(path) else None


def render() -> tuple[bytes, str]:
    """The current metrics in the Prometheus text format, aggregated over processes when in multi-process mode."""
    path = multiprocess_dir()
    if path:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=path)
    else:
        registry = REGISTRY
    return generate_latest(registry), CONTENT_TYPE_LATEST


def mark_process_dead(pid: int) -> None:
    """Drop the live-gauge files of a process that exited (gunicorn child_exit, Celery child shutdown)."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(pid)


def clean_stale_files(path: str) -> int:
    """Delete the sample files of processes that no longer run (called when gunicorn starts).

    Files of live processes (e.g. Celery workers sharing the directory) are kept, so their
    counters survive a web restart.
    """
    removed = 0
    if not os.path.isdir(path):
        return 0
    for name in os.listdir(path):
        if not name.endswith(".db"):
            continue
        stem = name[:-3].rsplit("_", 1)
        if len(stem) != 2 or not stem[1].isdigit():
            continue
        if not psutil.pid_exists(int(stem[1])):
            try:
                os.remove(os.path.join(path, name))
                removed += 1
            except FileNotFoundError:
                pass
    return removed


# --- Request middleware ------------------------------------------------------------------------


class MetricsMiddleware:
    """Request latency by view name (not path: bounded label values), method and status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or match._func_path) if match else "unmatched"
        with contextlib.suppress(Exception):  # metrics must never break a request
            observe_request(
                view=view, method=request.method, status=response.status_code, seconds=time.perf_counter() - started
            )
        return response


# --- Celery signals ----------------------------------------------------------------------------


def connect_celery_signals() -> None:
    """Count task outcomes and durations in the process that runs the task (called from celery.py)."""
    started: dict[str, float] = {}

    def _name(sender=None, task=None, request=None) -> str:
        obj = task or sender
        name = getattr(obj, "name", None)
        if not name and request is not None:
            name = getattr(request, "task", None) or getattr(request, "name", None)
        return str(name or "unknown")

    @signals.task_prerun.connect(weak=False)
    def _prerun(task_id=None, task=None, **kwargs):
        if task_id:
            started[task_id] = time.perf_counter()

    @signals.task_postrun.connect(weak=False)
    def _postrun(task_id=None, task=None, state=None, **kwargs):
        began = started.pop(task_id, None)
        seconds = time.perf_counter() - began if began is not None else None
        outcome = {"SUCCESS": "success", "FAILURE": "failure", "RETRY": "retry"}.get(state or "", "other")
        with contextlib.suppress(Exception):
            celery_task_outcome(task=_name(task=task), outcome=outcome, seconds=seconds)

    @signals.task_revoked.connect(weak=False)
    def _revoked(request=None, sender=None, **kwargs):
        celery_task_outcome(task=_name(sender=sender, request=request), outcome="revoked")

    @signals.task_rejected.connect(weak=False)
    def _rejected(message=None, **kwargs):
        task = "unknown"
        if message is not None:
            task = (getattr(message, "headers", None) or {}).get("task", "unknown")
        celery_task_outcome(task=task, outcome="rejected")

    @signals.worker_process_shutdown.connect(weak=False)
    def _child_shutdown(pid=None, **kwargs):
        mark_process_dead(pid or os.getpid())


# --- The scrape endpoint -----------------------------------------------------------------------


def authorised(request) -> bool:
    """A staff session or ``Authorization: Bearer METRICS_TOKEN`` (metrics, and the health details)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        return True
    expected = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if expected and header.startswith("Bearer "):
        return hmac.compare_digest(header[7:].strip().encode(), expected.encode())
    return False


def metrics_view(request):
    """``GET /api/metrics``: Prometheus text format, for staff sessions or ``Authorization: Bearer METRICS_TOKEN``."""
    if not authorised(request):
        response: HttpResponse = JsonResponse({"detail": "Staff session or metrics token required."}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    collect()
    body, content_type = render()
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response
