"""What the MCP endpoint adds to a search: ``search_datasets`` through ``POST /mcp`` against the same
query through ``POST /api/search`` (Django test client, in this process, result cache cold).

Run after `manage.py bootstrap` (catalog loaded, index built), against the configured database:

    .venv/bin/python bench/mcp_endpoint.py [--runs 30]

Each run clears the cache and sends each endpoint a query not seen before, so each does the full search. The
process is warm (model and index loaded, the MCP bridge started, by one request to each first). The
overhead is each endpoint's server time minus the search service's own ``took_ms``: for /mcp that is
token auth, the a2wsgi bridge, the SDK's JSON-RPC handling, the worker-thread hop and output validation.
Prints a table and a final JSON line.
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
os.environ.setdefault("API_THROTTLE_ANON", "1000000/min")  # a benchmark is not a client to limit
os.environ.setdefault("API_THROTTLE_USER", "1000000/min")

from bench.pages import QUERIES, percentile  # noqa: E402

ACCEPT = "application/json, text/event-stream"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from search.services import index_health

    health = index_health()
    if not health.get("ready"):
        print(f"The index is not ready ({health}); run manage.py bootstrap first.")
        return 1
    user, _ = get_user_model().objects.get_or_create(username="bench-mcp")
    token, _ = Token.objects.get_or_create(user=user)
    client = Client(headers={"Authorization": f"Bearer {token.key}", "Accept": ACCEPT})

    def api(query: str) -> tuple[float, float]:
        started = time.perf_counter()
        response = client.post("/api/search", {"q": query, "top_k": 10}, content_type="application/json")
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"/api/search: HTTP {response.status_code}")
        return elapsed, response.json()["took_ms"]

    def mcp(query: str, i: int) -> tuple[float, float]:
        message = {
            "jsonrpc": "2.0",
            "id": i,
            "method": "tools/call",
            "params": {"name": "search_datasets", "arguments": {"query": query, "top_k": 10}},
        }
        started = time.perf_counter()
        response = client.post("/mcp", message, content_type="application/json")
        elapsed = (time.perf_counter() - started) * 1000
        result = response.json().get("result") if response.status_code == 200 else None
        if not result or result.get("isError"):
            raise SystemExit(f"/mcp: HTTP {response.status_code} {response.content[:300]!r}")
        return elapsed, result["structuredContent"]["took_ms"]

    try:
        api("warm up the process")
        mcp("warm up the bridge", 0)
        figures: dict[str, dict[str, list[float]]] = {name: {"total": [], "search": []} for name in ("api", "mcp")}
        for i in range(args.runs):
            query = QUERIES[i % len(QUERIES)] + (f" {i // len(QUERIES)}" if i >= len(QUERIES) else "")
            # Different words for each endpoint: the second must not find the query's embedding cached.
            cache.clear()
            measured = {"api": api(query)}
            cache.clear()
            measured["mcp"] = mcp(f"{query} data", i + 1)
            for name, (total, search) in measured.items():
                figures[name]["total"].append(total)
                figures[name]["search"].append(search)
    finally:
        user.delete()

    rows = []
    for name, endpoint in (("api", "POST /api/search"), ("mcp", "POST /mcp search_datasets")):
        total, search = figures[name]["total"], figures[name]["search"]
        overhead = [t - s for t, s in zip(total, search, strict=True)]
        rows.append(
            {
                "endpoint": endpoint,
                "runs": args.runs,
                "median_ms": round(statistics.median(total), 1),
                "p95_ms": round(percentile(total, 95), 1),
                "search_median_ms": round(statistics.median(search), 1),
                "overhead_median_ms": round(statistics.median(overhead), 1),
                "overhead_p95_ms": round(percentile(overhead, 95), 1),
            }
        )
    print(f"Catalog: {health.get('size')} datasets in index v{health.get('version')}; runs: {args.runs}")
    print(f"{'endpoint':28} {'median ms':>10} {'p95 ms':>8} {'search ms':>10} {'overhead ms':>12} {'p95':>6}")
    for row in rows:
        print(
            f"{row['endpoint']:28} {row['median_ms']:>10} {row['p95_ms']:>8} {row['search_median_ms']:>10}"
            f" {row['overhead_median_ms']:>12} {row['overhead_p95_ms']:>6}"
        )
    print(f"(load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    print(
        json.dumps(
            {
                "bench": "mcp_endpoint",
                "catalog_size": health.get("size"),
                "load_average": round(os.getloadavg()[0], 1),
                "cpus": os.cpu_count(),
                "endpoints": rows,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
