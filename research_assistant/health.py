"""Health endpoints: liveness, readiness and a per-component report.

Each check is a small function returning a dict with at least ``status`` ("ok", "degraded"
or "down") and gets a ``latency_ms``. Which components matter:

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
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as futures_wait

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from redis.backoff import NoBackoff
from redis.retry import Retry

REQUIRED = frozenset({"database", "search_index"})
_STARTED_AT = time.time()
# Daemon-ish pool: a check that outlives the deadline keeps its thread until its socket timeout.
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="health")


# --- Individual checks -------------------------------------------------------------------------


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": "ok", "vendor": connection.vendor}


def check_search_index() -> dict:
    from search.services import index_health

    info = dict(index_health())
    status = "ok" if info.get("ready") else "degraded"
    return {"status": status, **info}


def check_embedding_model() -> dict:
    """Whether this process has the model in memory; never loads it (that takes seconds)."""
    loaded = False
    module = sys.modules.get("search.embeddings")
    if module is not None:
        probe = getattr(module, "is_loaded", None)
        if callable(probe):
            loaded = bool(probe())
        else:
            getter = getattr(module, "get_embedder", None)
            cache_info = getattr(getter, "cache_info", None)
            if callable(cache_info):
                loaded = cache_info().currsize > 0
            else:
                loaded = any(
                    getattr(module, name, None) is not None for name in ("_EMBEDDER", "_embedder", "_instance")
                )
    return {"status": "ok", "loaded": loaded, "model": settings.EMBEDDING_MODEL}


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
    from research_assistant.celery import app

    replies = app.control.ping(timeout=settings.HEALTH_WORKER_PING_SECONDS, limit=1) or []
    names = sorted(name for reply in replies for name in reply)
    if not names:
        return {"status": "down", "configured": True, "workers": 0, "error": "no worker answered"}
    return {"status": "ok", "configured": True, "workers": len(names)}


def check_llm() -> dict:
    """Each configured provider and its circuit state (conversation/llm.py knows them)."""
    providers: list[dict]
    try:
        from conversation import llm
    except ImportError:
        llm = None
    report_fn = None
    for name in ("providers_health", "provider_health", "providers_status"):
        report_fn = getattr(llm, name, None) if llm is not None else None
        if callable(report_fn):
            break
    if callable(report_fn):
        raw = report_fn()
        if isinstance(raw, dict) and "providers" in raw:
            raw = raw["providers"]
        providers = [dict(p) for p in (raw.values() if isinstance(raw, dict) else raw)]
    else:
        providers = []
        for name in settings.LLM_PROVIDERS:
            key = getattr(settings, f"{name.upper()}_API_KEY", "")
            providers.append({"name": name, "configured": bool(key), "circuit": "unknown"})
    configured = [p for p in providers if p.get("configured", True)]
    open_circuits = [p for p in configured if str(p.get("circuit", p.get("state", ""))).lower() == "open"]
    status = "degraded" if open_circuits else "ok"
    return {"status": status, "providers": providers, "fallback": "builtin"}


def process_info() -> dict:
    import psutil

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
        from django.db import connections

        connections.close_all()  # a pool thread must not keep a database connection open


def catalog_size() -> int:
    from catalog.models import Dataset

    return Dataset.objects.active().count()


def overall_status(components: dict) -> str:
    status = "ok"
    for name, component in components.items():
        if component["status"] == "ok":
            continue
        if name in REQUIRED and component["status"] == "down":
            return "down"
        status = "degraded"
    return status


def _warm_imports() -> None:
    """Import what the pooled checks need in the request thread first: concurrent first imports of
    the same packages from several threads can see half-initialised modules."""
    import search.services  # noqa: F401
    from research_assistant.celery import app

    if settings.REDIS_URL and not settings.CELERY_TASK_ALWAYS_EAGER:
        app.control  # noqa: B018 - builds the control/mailbox objects once
    if "conversation.llm" not in sys.modules:
        with contextlib.suppress(ImportError):
            import conversation.llm  # noqa: F401


def build_report() -> tuple[dict, int]:
    _warm_imports()
    deadline = time.monotonic() + settings.HEALTH_TIMEOUT_SECONDS
    pooled = {"cache": check_cache, "broker": check_broker, "workers": check_workers, "llm": check_llm}
    inline = {"database": check_database, "search_index": check_search_index, "embedding_model": check_embedding_model}
    if settings.REDIS_URL:
        # The index report reads cache statistics: with a networked cache it goes under the deadline
        # too. (Embedded mode keeps it in the request thread: SQLite connections are per thread.)
        pooled["search_index"] = inline.pop("search_index")
    futures = {name: _POOL.submit(_pooled, fn) for name, fn in pooled.items()}
    components = {name: _timed(fn) for name, fn in inline.items()}
    futures_wait(list(futures.values()), timeout=max(0.0, deadline - time.monotonic()))
    for name, future in futures.items():
        if future.done():
            components[name] = future.result()
        else:
            future.cancel()
            components[name] = {
                # A slow index report means a slow cache (the database has its own check): degraded.
                "status": "degraded" if name == "search_index" else "down",
                "error": "timeout",
                "latency_ms": round(settings.HEALTH_TIMEOUT_SECONDS * 1000, 2),
            }
    components = {name: components[name] for name in (*inline, *pooled) if name in components}
    for name, component in components.items():
        component["required"] = name in REQUIRED
    overall = overall_status(components)
    size = None
    if components["database"]["status"] == "ok":  # don't wait on a dead database twice
        with contextlib.suppress(Exception):
            size = catalog_size()
    try:
        process = process_info()
    except Exception:
        process = {}
    report = {
        "status": overall,
        "version": settings.VERSION,
        "environment": settings.DJANGO_ENV,
        "uptime_seconds": round(time.time() - _STARTED_AT, 1),
        "catalog_size": size,
        "components": components,
        "process": process,
    }
    return report, 503 if overall == "down" else 200


@never_cache
def health_view(request):
    report, status = build_report()
    return JsonResponse(report, status=status)


@never_cache
def live_view(request):
    """200 whenever the process serves requests; touches no dependency."""
    return JsonResponse({"status": "ok", "uptime_seconds": round(time.time() - _STARTED_AT, 1)})


@never_cache
def ready_view(request):
    """200 only when the catalog is loaded, the index is ready and the required components answer."""
    from search.services import index_health

    reasons = []
    database = _timed(check_database)
    if database["status"] != "ok":
        reasons.append(f"database: {database.get('error', 'down')}")
    else:
        try:
            if catalog_size() == 0:
                reasons.append("catalog is empty")
            index = index_health()
            if not index.get("ready"):
                reasons.append(index.get("reason") or "search index not ready")
        except Exception as exc:
            reasons.append(f"check failed: {exc.__class__.__name__}")
    if reasons:
        return JsonResponse({"status": "not_ready", "reasons": reasons}, status=503)
    return JsonResponse({"status": "ready"})
