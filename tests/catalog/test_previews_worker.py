"""Previews through a real Celery worker process over Redis: hostile files end unavailable within the caps,
the worker survives them and keeps serving other tasks."""

from __future__ import annotations

import time

import pytest
from django.conf import settings

from catalog.models import DistributionPreview
from catalog.previews import previews_queue
from research_assistant.celery import ping
from tests.factories import DatasetFactory, DistributionFactory

from .preview_server import PreviewServer

pytestmark = pytest.mark.worker

FILES = {
    "/files/resale.csv": ("ready", ""),
    "/files/resale.xlsx": ("ready", ""),
    "/files/latin1.csv": ("ready", ""),
    "/files/utf16.csv": ("ready", ""),
    "/long-line.csv": ("unavailable", "no complete line"),
    "/files/html-as.csv": ("unavailable", "web page"),
    "/bomb.csv": ("unavailable", "decompression bomb"),
    "/drip.csv": ("unavailable", "took longer than"),
    "/loop": ("unavailable", "redirects in a loop"),
}


def wait_done(ids: list[int], timeout: float) -> dict[int, DistributionPreview]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        previews = {p.distribution_id: p for p in DistributionPreview.objects.filter(distribution_id__in=ids)}
        if len(previews) == len(ids) and all(p.status != "pending" for p in previews.values()):
            return previews
        time.sleep(0.2)
    raise AssertionError(f"previews still pending after {timeout} s")


def test_hostile_files_end_unavailable_and_the_worker_carries_on(celery_worker):
    server = PreviewServer(drip_seconds=0.2)
    try:
        dataset = DatasetFactory()
        by_path = {path: DistributionFactory(dataset=dataset, url=server.url(path)).pk for path in FILES}
        started = time.monotonic()
        assert sorted(previews_queue(dataset_ids=[dataset.pk])) == sorted(by_path.values())
        # One worker process, one task at a time: every fetch is bounded, so the whole batch is too.
        previews = wait_done(list(by_path.values()), timeout=60)
        elapsed = time.monotonic() - started
        for path, (status, reason) in FILES.items():
            preview = previews[by_path[path]]
            assert preview.status == status, (path, preview.reason)
            assert reason in preview.reason, path
        assert elapsed < len(FILES) * (settings.PREVIEW_DEADLINE_SECONDS + 2)

        assert celery_worker.poll() is None  # the same worker process, still running
        assert ping.apply_async().get(timeout=10) == "pong"
        late = DistributionFactory(dataset=dataset, url=server.url("/files/resale.parquet"), format="PARQUET")
        queued = time.monotonic()
        previews_queue(dataset_ids=[dataset.pk])
        assert wait_done([late.pk], timeout=30)[late.pk].status == "ready"
        assert time.monotonic() - queued < 10  # nothing held the queue up
    finally:
        server.close()
