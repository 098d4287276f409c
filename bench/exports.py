"""Time of the dataset exports on the demo catalog: what the dataset page adds (snippets, citation,
JSON-LD), each API format per dataset, and one DCAT-AP page (uncached) in Turtle and JSON-LD.

Run after `manage.py bootstrap`, against the configured database:

    .venv/bin/python bench/exports.py [--datasets 200]

Prints a table and a final JSON line (milliseconds; process CPU time beside wall time, since the
machine may be shared).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "research_assistant.settings")
BASE = "https://bench.example"


def _timed(fn, items) -> dict:
    wall, cpu = [], []
    for item in items:
        w, c = time.perf_counter(), time.process_time()
        fn(item)
        wall.append((time.perf_counter() - w) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return {
        "runs": len(items),
        "median_ms": round(statistics.median(wall), 2),
        "max_ms": round(max(wall), 2),
        "cpu_median_ms": round(statistics.median(cpu), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=200)
    args = parser.parse_args()

    import django

    django.setup()
    from catalog.export import citation, dcat
    from catalog.export.datapackage import datapackage
    from catalog.export.service import dataset_page_exports, datasets_for_export

    datasets = list(datasets_for_export().order_by("?")[: args.datasets])
    if not datasets:
        print("The catalog is empty; run manage.py bootstrap first.")
        return 1
    rows = {"dataset page exports": _timed(lambda d: dataset_page_exports(d, base_url=BASE), datasets)}
    for fmt in citation.FORMATS:
        rows[f"citation {fmt}"] = _timed(lambda d, f=fmt: citation.citation_render(d, fmt=f, base_url=BASE), datasets)
    rows["datapackage.json"] = _timed(lambda d: datapackage(d, base_url=BASE), datasets)
    page = list(datasets_for_export()[:500])
    for fmt in dcat.FORMATS:
        rows[f"DCAT page of {len(page)} ({fmt})"] = _timed(
            lambda _, f=fmt: dcat.catalog_serialize(dcat.catalog_graph(page, base_url=BASE), f), [0, 1, 2]
        )
    print(f"{'what':34} {'runs':>5} {'median ms':>10} {'max ms':>9} {'cpu ms':>8}")
    for name, row in rows.items():
        print(f"{name:34} {row['runs']:>5} {row['median_ms']:>10} {row['max_ms']:>9} {row['cpu_median_ms']:>8}")
    print(f"(load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    print(json.dumps({"bench": "exports", "load_average": round(os.getloadavg()[0], 1), "rows": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
