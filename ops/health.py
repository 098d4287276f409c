"""Health endpoints: liveness, readiness and a per-component report.

Each check is a small function returning a dict with at least ``status`` ("ok", "degraded"
or "down") and gets a ``latency_ms``. This module owns the registry and the database, cache,
broker and worker checks; every app registers its own in ``AppConfig.ready()`` (search: index
and embedding model; conversation: LLM providers; catalog: the catalog size and readiness).
Which components matter:

- required (a failure makes the report "down" and the endpoint answer 503): ``database`` and
  ``search_index`` (an index that cannot even be inspected; one that is still building is only
  "degraded", and ``/api/health/ready`` stays 503 until it is ready);
- optional (a failure makes the report "degraded", still 200): ``cache``, ``broker``, ``workers``
  (features degrade: no shared cache or rate-limit counters, answers generated in-request or
  by the built-in provider), ``llm`` (the built-in extractive answerer always works) and
  ``embedding_model`` (reported, never loaded by the check).

Network checks (cache, broker, workers, LLM) run concurrently in a small thread pool under one
overall deadline (HEALTH_TIMEOUT_SECONDS), and the Redis probes use short socket timeouts
(HEALTH_REDIS_TIMEOUT_SECONDS) without retries, so a hung Redis cannot hang the endpoint. Database checks run in the request thread (its connection
and transaction), in parallel with the pool.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from dataclasses import dataclass

import psutil
import redis
from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from redis.backoff import NoBackoff
from redis.retry import Retry

from .metrics import authorised

_STARTED_AT = time.time()
# Daemon-ish pool: a check that outlives the deadline keeps its thread until its socket timeout.
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="health")


# --- The registry: each app registers its checks in AppConfig.ready() -------------------------


@dataclass(frozen=True)
class Check:
    """One component of the report.

    ``required``: a "down" makes the whole report "down" (503). ``pooled``: runs in the thread pool
    under the deadline (network checks); a callable decides per call (e.g. only with a networked
    cache). ``on_timeout``: the component status when the deadline cuts the check off.
    """

    name: str
    run: Callable[[], dict]
    required: bool = False
    pooled: bool | Callable[[], bool] = False
    on_timeout: str = "down"

    def runs_pooled(self) -> bool:
        return self.pooled() if callable(self.pooled) else self.pooled


_CHECKS: dict[str, Check] = {}
_READINESS: dict[str, Callable[[], str | None]] = {}
_FACTS: dict[str, Callable[[], object]] = {}


def register_check(
    name: str,
    run: Callable[[], dict],
    *,
    required: bool = False,
    pooled: bool | Callable[[], bool] = False,
    on_timeout: str = "down",
) -> None:
    """Add a component to ``/api/health``: ``run()`` returns a dict with at least ``status``."""
    _CHECKS[name] = Check(name=name, run=run, required=required, pooled=pooled, on_timeout=on_timeout)


def register_readiness(name: str, reason: Callable[[], str | None]) -> None:
    """Add a readiness condition: ``reason()`` returns why the process is not ready, or None."""
    _READINESS[name] = reason


def register_fact(name: str, value: Callable[[], object]) -> None:
    """Add a top-level figure to the report (e.g. ``catalog_size``); read only when the database is up."""
    _FACTS[name] = value


# --- This app's own checks ---------------------------------------------------------------------


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": "ok", "vendor": connection.vendor}


_REDIS_CLIENTS: dict[str, object] = {}


def _redis_client(url: str):
    """A pooled client for health probes: short timeouts and no retries (redis-py retries by default)."""
    client = _REDIS_CLIENTS.get(url)
    if client is None:
        timeout = settings.HEALTH_REDIS_TIMEOUT_SECONDS
        client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0)
        )
        _REDIS_CLIENTS[url] = client
    return client


def check_cache() -> dict:
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    if settings.REDIS_URL:
        # The app's django-redis client swallows errors (an outage degrades, never breaks) and
        # retries; probe the same server directly so the check sees a failure, and fast.
        client = _redis_client(settings.CACHES["default"]["LOCATION"])
        key = f"ra:health:{uuid.uuid4().hex}"
        pipe = client.pipeline(transaction=False)
        pipe.set(key, b"1", ex=10)
        pipe.get(key)
        pipe.delete(key)
        ok = pipe.execute()[1] == b"1"
    else:
        key = f"health:{uuid.uuid4().hex}"
        cache.set(key, "1", 10)
        ok = cache.get(key) == "1"
        cache.delete(key)
    return {"status": "ok" if ok else "down", "backend": backend}


def _broker_client():
    return _redis_client(settings.CELERY_BROKER_URL)


def _broker_is_redis() -> bool:
    return str(settings.CELERY_BROKER_URL).startswith(("redis://", "rediss://", "unix://"))


def check_broker() -> dict:
    if not _broker_is_redis():
        return {"status": "ok", "configured": False, "detail": "tasks run in-process"}
    _broker_client().ping()
    return {"status": "ok", "configured": True}


def check_workers() -> dict:
    """At least one Celery worker answers a ping (only when a broker is configured)."""
    if not _broker_is_redis() or settings.CELERY_TASK_ALWAYS_EAGER:
        return {"status": "ok", "configured": False, "detail": "tasks run in-process"}
    try:
        _broker_client().ping()  # fail fast instead of letting the broadcast wait on a dead broker
    except Exception:
        return {"status": "down", "configured": True, "error": "broker unreachable"}
    replies = current_app.control.ping(timeout=settings.HEALTH_WORKER_PING_SECONDS, limit=1) or []
    names = sorted(name for reply in replies for name in reply)
    if not names:
        return {"status": "down", "configured": True, "workers": 0, "error": "no worker answered"}
    return {"status": "ok", "configured": True, "workers": len(names)}


def process_info() -> dict:
    proc = psutil.Process()
    with proc.oneshot():
        memory = proc.memory_info().rss
        cpu_percent = proc.cpu_percent(interval=None)
        cpu_times = proc.cpu_times()
        threads = proc.num_threads()
    data_dir = settings.DATA_DIR if os.path.isdir(settings.DATA_DIR) else settings.BASE_DIR
    disk = shutil.disk_usage(data_dir)
    return {
        "pid": os.getpid(),
        "memory_rss_bytes": memory,
        "cpu_percent": cpu_percent,
        "cpu_seconds": round(cpu_times.user + cpu_times.system, 2),
        "threads": threads,
        "disk_free_bytes": disk.free,
        "disk_free_percent": round(100 * disk.free / disk.total, 1) if disk.total else None,
    }


# --- The report --------------------------------------------------------------------------------


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        result = check()
    except Exception as exc:  # a failing dependency is reported, never raised
        result = {"status": "down", "error": exc.__class__.__name__}
    result["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
    return result


def _pooled(check) -> dict:
    try:
        return _timed(check)
    finally:
        connections.close_all()  # a pool thread must not keep a database connection open


def overall_status(components: dict) -> str:
    status = "ok"
    for component in components.values():
        if component["status"] == "ok":
            continue
        if component.get("required") and component["status"] == "down":
            return "down"
        status = "degraded"
    return status


def _warm_imports() -> None:
    """Build Celery's control objects in the request thread first: concurrent first use from
    several pool threads can see half-initialised objects."""
    if settings.REDIS_URL and not settings.CELERY_TASK_ALWAYS_EAGER:
        current_app.control  # noqa: B018 - builds the control/mailbox objects once


def build_report() -> tuple[dict, int]:
    _warm_imports()
    deadline = time.monotonic() + settings.HEALTH_TIMEOUT_SECONDS
    registered = list(_CHECKS.values())
    pooled = [check for check in registered if check.runs_pooled()]
    futures = {check.name: _POOL.submit(_pooled, check.run) for check in pooled}
    components = {check.name: _timed(check.run) for check in registered if check not in pooled}
    futures_wait(list(futures.values()), timeout=max(0.0, deadline - time.monotonic()))
    for check in pooled:
        future = futures[check.name]
        if future.done():
            components[check.name] = future.result()
        else:
            future.cancel()
            components[check.name] = {
                "status": check.on_timeout,
                "error": "timeout",
                "latency_ms": round(settings.HEALTH_TIMEOUT_SECONDS * 1000, 2),
            }
    ordered = [check for check in registered if check not in pooled] + pooled
    components = {check.name: components[check.name] | {"required": check.required} for check in ordered}
    overall = overall_status(components)
    facts: dict[str, object] = dict.fromkeys(_FACTS)
    if components.get("database", {}).get("status") == "ok":  # don't wait on a dead database twice
        for name, fn in _FACTS.items():
            with contextlib.suppress(Exception):
                facts[name] = fn()
    try:
        process = process_info()
    except Exception:
        process = {}
    report = {
        "status": overall,
        "version": settings.VERSION,
        "environment": settings.DJANGO_ENV,
        "uptime_seconds": round(time.time() - _STARTED_AT, 1),
        **facts,
        "components": components,
        "process": process,
    }
    return report, 503 if overall == "down" else 200


@never_cache
def health_view(request):
    """The overall status for anyone; the components, facts and process figures only for staff
    sessions or the metrics token (they tell an attacker what runs where)."""
    report, status = build_report()
    if not authorised(request):
        report = {"status": report["status"]}
    return JsonResponse(report, status=status)


@never_cache
def live_view(request):
    """200 whenever the process serves requests; touches no dependency."""
    return JsonResponse({"status": "ok", "uptime_seconds": round(time.time() - _STARTED_AT, 1)})


@never_cache
def ready_view(request):
    """200 only when the database answers and every registered readiness condition holds."""
    reasons = []
    database = _timed(check_database)
    if database["status"] != "ok":
        reasons.append(f"database: {database.get('error', 'down')}")
    else:
        for name, reason_fn in _READINESS.items():
            try:
                reason = reason_fn()
            except Exception as exc:
                reason = f"{name} check failed: {exc.__class__.__name__}"
            if reason:
                reasons.append(reason)
    if reasons:
        return JsonResponse({"status": "not_ready", "reasons": reasons}, status=503)
    return JsonResponse({"status": "ready"})
