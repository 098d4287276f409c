"""Production URLs plus test-only views (never in research_assistant/urls.py)."""

from __future__ import annotations

import logging
import os
import time

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from research_assistant.urls import handler404, handler500  # noqa: F401
from research_assistant.urls import urlpatterns as production_urlpatterns

logger = logging.getLogger("tests.ops")


def slow_view(request):
    """Sleeps ?seconds= (after touching ?marker= so a test knows the request is in flight)."""
    marker = request.GET.get("marker")
    if marker:
        with open(marker, "w") as fh:
            fh.write(str(os.getpid()))
    time.sleep(float(request.GET.get("seconds", "2")))
    return JsonResponse({"status": "done", "pid": os.getpid()})


def db_sleep(request):
    """Holds a database query for ?seconds= (PostgreSQL's pg_sleep), so a test can drop the connection mid-request."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(%s)", [float(request.GET.get("seconds", "3"))])
    return JsonResponse({"status": "done"})


def queue_link_check(request):
    """Queue an (empty) link check, so a test can follow this request's id into the worker's log."""
    from catalog.tasks import links_check_task

    result = links_check_task.apply_async(kwargs={"dataset_ids": [], "stale_only": False})
    return JsonResponse({"task_id": result.id, "result": result.get(timeout=30)})


@csrf_exempt
def careless_view(request):
    """Code that logs what it should not: the redaction filter must still keep secrets out."""
    logger.info("careless body=%s", request.body.decode("utf-8", "replace"))
    logger.info("careless auth header %s", request.headers.get("Authorization", ""))
    logger.warning("careless extra", extra={"password": request.POST.get("password", ""), "note": "visible-note"})
    try:
        raise ValueError(f"login failed for password={request.POST.get('password', '')}")
    except ValueError:
        logger.exception("careless exception")
    return JsonResponse({"ok": True})


urlpatterns = [
    path("test/slow", slow_view),
    path("test/db-sleep", db_sleep),
    path("test/queue-link-check", queue_link_check),
    path("test/careless", careless_view),
    *production_urlpatterns,
]
