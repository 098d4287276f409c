"""Health endpoints: liveness, readiness and a per-component report.

Each check is a small function returning a dict with at least ``status`` ("ok", "degraded"
or "down"); ``required`` checks turn the whole report "down" (503), optional ones only
"degraded".
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": "ok"}


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        result = check()
    except Exception as exc:  # a failing dependency is reported, never raised
        result = {"status": "down", "error": exc.__class__.__name__}
    result["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
    return result


def catalog_size() -> int:
    from catalog.models import Dataset

    return Dataset.objects.active().count()


def build_report() -> tuple[dict, int]:
    from search.services import index_health

    components = {"database": _timed(check_database)}
    components["search_index"] = _timed(lambda: {"status": "ok", **index_health()})
    overall = "ok"
    if any(c["status"] == "down" for c in components.values()):
        overall = "down"
    elif any(c["status"] == "degraded" for c in components.values()):
        overall = "degraded"
    try:
        size = catalog_size()
    except Exception:
        size = None
    report = {"status": overall, "version": settings.VERSION, "catalog_size": size, "components": components}
    return report, 503 if overall == "down" else 200


@never_cache
def health_view(request):
    report, status = build_report()
    return JsonResponse(report, status=status)


@never_cache
def live_view(request):
    return JsonResponse({"status": "ok"})


@never_cache
def ready_view(request):
    from search.services import index_health

    reasons = []
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
