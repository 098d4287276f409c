"""Server time of the main pages with the demo catalog (Django test client, result cache cold).

Run after `manage.py bootstrap` (catalog loaded, index built), against the configured database:

    .venv/bin/python bench/pages.py [--runs 30]

Each measured request starts with an empty cache and a new client (new session), and every results
page uses a different query, so neither the result cache nor the query-embedding cache helps. The
process itself is warm (model and index loaded by one warm-up request per page), as a running web
worker would be. Prints a table and a final JSON line.
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
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# The search page shares the API's rate limits; a benchmark is not a client to limit.
os.environ.setdefault("API_THROTTLE_ANON", "1000000/min")
os.environ.setdefault("API_THROTTLE_USER", "1000000/min")

TARGET_MS = 100.0
QUERIES = [
    "HDB resale flat prices by town",
    "rainfall in Singapore since 2015",
    "public transport ridership",
    "dengue cases weekly",
    "population by planning area",
    "carbon dioxide emissions per country",
    "GDP per capita",
    "school enrolment primary",
    "hawker centres locations",
    "electricity consumption households",
    "air quality PSI readings",
    "car population COE",
    "tourist arrivals by country",
    "birth rate and fertility",
    "labour force unemployment rate",
    "park connectors map",
    "water usage per capita",
    "hospital admissions",
    "retail sales index",
    "life expectancy at birth",
    "recycling rates waste",
    "taxi availability",
    "household income distribution",
    "marriages and divorces",
    "consumer price index inflation",
    "land use planning master plan",
    "crime cases reported",
    "internet usage statistics",
    "energy prices fuel",
    "literacy rate by age",
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client

    from catalog.models import Dataset
    from search.services import index_health

    dataset_ids = list(Dataset.objects.active().order_by("?").values_list("pk", flat=True)[: args.runs])
    health = index_health()
    if not dataset_ids or not health.get("ready"):
        print(f"The catalog is empty or the index is not ready ({health}); run manage.py bootstrap first.")
        return 1

    pages = {
        "home page (/)": lambda i: "/",
        "results page (/search?q=...)": lambda i: (
            "/search?" + _encode(QUERIES[i % len(QUERIES)] + f" {i // len(QUERIES) or ''}")
        ),
        "dataset page (/datasets/<id>/)": lambda i: f"/datasets/{dataset_ids[i % len(dataset_ids)]}/",
    }
    rows = []
    for name, url_for in pages.items():
        Client().get(url_for(len(QUERIES) * 3))  # warm the process: model, index, templates
        timings, search_ms = [], []
        for i in range(args.runs):
            cache.clear()
            client = Client()
            started = time.perf_counter()
            response = client.get(url_for(i))
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                print(f"{name}: HTTP {response.status_code} for {url_for(i)}")
                return 1
            timing = response.headers.get("Server-Timing", "")
            if timing.startswith("search;dur="):
                search_ms.append(float(timing.split("=", 1)[1]))
        rows.append(
            {
                "page": name,
                "runs": args.runs,
                "median_ms": round(statistics.median(timings), 1),
                "p95_ms": round(percentile(timings, 95), 1),
                "max_ms": round(max(timings), 1),
                # the search service's own time (query embedding + ranking) inside the page, when it searched
                "search_median_ms": round(statistics.median(search_ms), 1) if search_ms else None,
                "page_minus_search_median_ms": (
                    round(statistics.median([t - s for t, s in zip(timings, search_ms, strict=True)]), 1)
                    if search_ms
                    else None
                ),
                "target_ms": TARGET_MS,
                "meets_target": statistics.median(timings) <= TARGET_MS,
            }
        )

    print(f"Catalog: {health.get('size')} datasets in index v{health.get('version')}; runs per page: {args.runs}")
    print(f"{'page':34} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'search ms':>10} {'rest ms':>8}  target")
    for row in rows:
        ok = "ok" if row["meets_target"] else "MISSED"
        search = "-" if row["search_median_ms"] is None else row["search_median_ms"]
        rest = "-" if row["page_minus_search_median_ms"] is None else row["page_minus_search_median_ms"]
        print(
            f"{row['page']:34} {row['median_ms']:>10} {row['p95_ms']:>8} {row['max_ms']:>8} {search:>10} {rest:>8}"
            f"  ≤{TARGET_MS:.0f} {ok}"
        )
    print(f"(load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    print(
        json.dumps(
            {
                "bench": "pages",
                "catalog_size": health.get("size"),
                "load_average": round(os.getloadavg()[0], 1),
                "cpus": os.cpu_count(),
                "pages": rows,
            }
        )
    )
    return 0


def _encode(query: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"q": query.strip()})


if __name__ == "__main__":
    sys.exit(main())
