"""Data previews: fetch + profile throughput against a local file server, and the dataset page's server
time with a stored (cached) preview.

    .venv/bin/python bench/previews.py [--files 48] [--concurrency 2] [--runs 50]

Throughput: the files are the real ones of tests/catalog/preview_server.py (CSV, TSV, JSON, GeoJSON,
XLSX, Parquet, a gzip-encoded CSV: a few hundred bytes each) plus a 100,000-row CSV (about 6 MB), each
fetched and profiled by ``catalog.previews.preview_make`` (no database), one after another ("serial") and
in ``--concurrency`` processes at once (as a Celery worker with that concurrency runs the task).
Page time: against the configured database after ``manage.py bootstrap``, one demo dataset gets a ready
preview (50 rows x 12 columns of the big CSV) for the run, then loses it again; the page is requested
``--runs`` times with the Django test client, with the preview and (before) without, and the preview
section's own cost (its query and its template) is timed alone. Prints a table and a final JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "research_assistant.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("API_THROTTLE_ANON", "1000000/min")
os.environ.setdefault("PREVIEW_ON_VIEW", "0")  # the page is measured; nothing is fetched from it
os.environ.setdefault("PREVIEW_ALLOW_PRIVATE_HOSTS", "1")  # the file server listens on 127.0.0.1

PAGE_TARGET_MS = 100.0
BIG_ROWS = 100_000
SMALL = ["resale.csv", "resale.tsv", "resale.json", "parks.geojson", "resale.xlsx", "resale.parquet"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))]


def big_csv() -> bytes:
    header = "id,month,town,flat_type,block,street_name,storey_range,floor_area_sqm,flat_model,lease_commence_date,remaining_lease,resale_price\n"
    towns = ["ANG MO KIO", "BEDOK", "BISHAN", "CLEMENTI", "JURONG WEST", "TAMPINES", "WOODLANDS", "YISHUN"]
    lines = [header]
    for i in range(BIG_ROWS):
        lines.append(
            f"{i},{2017 + i % 8}-{1 + i % 12:02d},{towns[i % 8]},{3 + i % 3} ROOM,{100 + i % 900},"
            f"STREET {i % 250},{1 + i % 12:02d} TO {3 + i % 12:02d},{60 + i % 80}.0,Model {chr(65 + i % 6)},"
            f"{1970 + i % 50},{50 + i % 45} years,{200000 + (i * 7919) % 800000}\n"
        )
    return "".join(lines).encode()


def _init_worker() -> None:
    import django

    django.setup()


def _one(url_format: tuple[str, str]) -> tuple[str, float]:
    from catalog.previews import preview_make

    url, fmt = url_format
    started = time.perf_counter()
    result = preview_make(url, declared_format=fmt)
    return result["status"], time.perf_counter() - started


def throughput(jobs: list[tuple[str, str]], concurrency: int) -> dict:
    started = time.perf_counter()
    if concurrency <= 1:
        outcomes = [_one(job) for job in jobs]
    else:
        with ProcessPoolExecutor(max_workers=concurrency, initializer=_init_worker) as pool:
            outcomes = list(pool.map(_one, jobs))
    seconds = time.perf_counter() - started
    latencies = [s * 1000 for _, s in outcomes]
    return {
        "previews": len(jobs),
        "ready": sum(1 for status, _ in outcomes if status == "ready"),
        "seconds": round(seconds, 2),
        "per_second": round(len(jobs) / seconds, 1),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
    }


def page_times(dataset_id: int, runs: int) -> dict:
    from django.test import Client

    url = f"/datasets/{dataset_id}/"
    Client().get(url)  # warm: templates, index, model
    timings = []
    for _ in range(runs):
        client = Client()
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return {
        "runs": runs,
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 95), 1),
        "max_ms": round(max(timings), 1),
    }


def section_times(dataset_id: int, runs: int) -> dict:
    """What the preview adds to the page: reading it (one query) and rendering its include template."""
    from django.template.loader import render_to_string

    from catalog.models import Dataset
    from catalog.previews import dataset_previews, preview_display

    timings = []
    for _ in range(runs + 1):
        dataset = Dataset.objects.prefetch_related("distributions").get(pk=dataset_id)
        started = time.perf_counter()
        shown = [preview_display(d, p) for d, p in dataset_previews(dataset)]
        render_to_string("catalog/_previews.html", {"previews": shown})
        timings.append((time.perf_counter() - started) * 1000)
    timings = timings[1:]  # the first renders compile the template
    return {
        "runs": runs,
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 95), 1),
        "max_ms": round(max(timings), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=48, help="small files fetched per throughput run")
    parser.add_argument("--big", type=int, default=8, help="100,000-row CSVs fetched per throughput run")
    parser.add_argument("--concurrency", type=int, default=2, help="processes, like the worker's concurrency")
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    import django

    django.setup()
    from catalog.models import Distribution, DistributionPreview
    from catalog.previews import preview_make
    from tests.catalog.preview_server import PreviewServer

    server = PreviewServer()
    server.files["big.csv"] = (big_csv(), "text/csv")
    small = [
        (server.url(f"/files/{SMALL[i % len(SMALL)]}"), SMALL[i % len(SMALL)].rsplit(".", 1)[1].upper())
        for i in range(args.files)
    ]
    big = [(server.url("/files/big.csv"), "CSV")] * args.big
    results = {}
    try:
        for label, jobs in (("small files", small), ("100k-row CSV (6 MB)", big)):
            results[label] = {
                "serial": throughput(jobs, 1),
                f"{args.concurrency} processes": throughput(jobs, args.concurrency),
            }
        sample = preview_make(server.url("/files/big.csv"), declared_format="CSV")
    finally:
        server.close()

    distribution = (
        Distribution.objects.filter(dataset__status="active", preview__isnull=True, format="CSV")
        .select_related("dataset")
        .order_by("pk")
        .first()
    )
    page = {}
    if distribution is None:
        print("No active dataset with a CSV distribution: run manage.py bootstrap first for the page time.")
    else:
        page["without preview"] = page_times(distribution.dataset_id, args.runs)
        preview, _ = DistributionPreview.objects.update_or_create(distribution=distribution, defaults={
            "source_url": distribution.url,
            **{
            k: v for k, v in sample.items() if k in {
                "status", "reason", "columns", "rows", "row_count", "rows_profiled", "truncated", "file_format",
                "file_size", "encoding", "notes", "checksum",
            }
        }})  # fmt: skip
        try:
            page["with a stored preview (50 rows x 12 columns)"] = page_times(distribution.dataset_id, args.runs)
            page["the preview section alone (query + render)"] = section_times(distribution.dataset_id, args.runs)
        finally:
            preview.delete()

    print(f"{'preview fetch + profile':34} {'mode':>12} {'previews':>9} {'per s':>7} {'p50 ms':>8} {'p95 ms':>8}")
    for label, modes in results.items():
        for mode, row in modes.items():
            print(
                f"{label:34} {mode:>12} {row['previews']:>9} {row['per_second']:>7} {row['p50_ms']:>8} {row['p95_ms']:>8}"
            )
    if page:
        print(f"\n{'dataset page':48} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}  target p95 {PAGE_TARGET_MS:g} ms")
        for label, row in page.items():
            print(f"{label:48} {row['median_ms']:>10} {row['p95_ms']:>8} {row['max_ms']:>8}")
    with_preview = next((row for label, row in page.items() if label.startswith("with")), None)
    section = next((row for label, row in page.items() if label.startswith("the preview section")), None)
    print(
        json.dumps(
            {
                "bench": "previews",
                "throughput": results,
                "dataset_page": page,
                "page_p95_target_ms": PAGE_TARGET_MS,
                "meets_target": bool(with_preview and with_preview["p95_ms"] <= PAGE_TARGET_MS),
                "preview_section_p95_ms": section["p95_ms"] if section else None,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
