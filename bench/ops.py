"""Operations bench: /api/health latency (all up, Redis down) and link-checker throughput.

    .venv/bin/python bench/ops.py [--requests 60] [--urls 600] [--concurrency 20]

Starts its own processes: a throwaway redis-server (spare port >= 6390), a Celery worker and
gunicorn (deploy/gunicorn.conf.py, production settings, 2 workers) on a fresh SQLite database,
then a local HTTP server for the link checker. Prints a table and a final JSON line.
Target: health p95 <= 200 ms with everything up and with Redis down.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.ops.servers import CeleryWorker, Gunicorn, RedisServer, link_server  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


METRICS_TOKEN = "bench-metrics-token-0123456789"
DETAILS = {"Authorization": f"Bearer {METRICS_TOKEN}"}  # /api/health shows components only with the token


def measure_health(url: str, n: int) -> dict:
    latencies, statuses, not_ok = [], {}, set()
    with httpx.Client(timeout=10, headers=DETAILS) as http:
        http.get(url)  # warm-up (connections, first-request imports)
        for _ in range(n):
            started = time.perf_counter()
            response = http.get(url)
            latencies.append((time.perf_counter() - started) * 1000)
            data = response.json()
            status = data["status"]
            not_ok.update(name for name, c in data["components"].items() if c["status"] != "ok")
            statuses[status] = statuses.get(status, 0) + 1
    return {
        "n": n,
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "max_ms": round(max(latencies), 1),
        "statuses": statuses,
        "not_ok": sorted(not_ok),
    }


def measure_links(n_urls: int, concurrency: int, per_host: int, hosts: int, path: str) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "research_assistant.settings")
    import django

    django.setup()
    from catalog.linkcheck import check_urls

    with link_server(host="0.0.0.0") as server:  # noqa: S104 - reachable as 127.0.0.N for N hosts
        urls = [f"http://127.0.0.{1 + i % hosts}:{server.port}{path}?i={i}" for i in range(n_urls)]
        started = time.perf_counter()
        results = asyncio.run(check_urls(urls, concurrency=concurrency, per_host=per_host, timeout=10))
        seconds = time.perf_counter() - started
    ok = sum(1 for r in results.values() if r.status == "ok")
    return {
        "urls": n_urls,
        "hosts": hosts,
        "path": path,
        "concurrency": concurrency,
        "per_host": per_host,
        "seconds": round(seconds, 2),
        "urls_per_s": round(n_urls / seconds, 1),
        "ok": ok,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--urls", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--per-host", type=int, default=2)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--catalog", type=int, default=200, help="Synthetic datasets to embed and index first.")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="ra-bench-ops-"))
    redis = RedisServer().start()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_TASK_ALWAYS_EAGER"}}
    env.update(
        DJANGO_SETTINGS_MODULE="research_assistant.settings",
        DJANGO_ENV="production",
        SECRET_KEY="bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        METRICS_TOKEN=METRICS_TOKEN,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}",
        REDIS_URL=redis.url,
        DATA_DIR=str(tmp),
        INDEX_DIR=str(tmp / "index"),
        STATIC_ROOT=str(tmp / "static"),
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        GUNICORN_ACCESS_LOG="",
        PYTHONPATH=str(ROOT),
        HF_HUB_OFFLINE="1",
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    if args.catalog:  # a small real catalog + index, so every component can be "ok"
        seed = (
            "from catalog.models import Dataset, Source, Publisher; from search.services import index_ensure; "
            "src = Source.objects.create(slug='bench', name='Bench'); pub = Publisher.objects.create(name='Bench agency'); "
            "Dataset.objects.bulk_create([Dataset(source=src, publisher=pub, external_id=f'b{i}', "
            "title=f'Bench dataset {i} on topic {i % 17}', description='Synthetic dataset for the ops bench.', "
            f"formats=['CSV']) for i in range({args.catalog})]); print(index_ensure())"
        )
        seeded = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", seed], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if seeded.returncode != 0:
            print(f"warning: catalog/index seeding failed; the index will read not ready:\n{seeded.stderr[-600:]}")
    worker = CeleryWorker(env).start()
    server = Gunicorn(env, workers=2).start()
    rows = {}
    try:
        health = f"{server.url}/api/health"
        deadline = time.monotonic() + 60
        while httpx.get(health, timeout=10, headers=DETAILS).json()["components"]["workers"]["status"] != "ok":
            if time.monotonic() > deadline:
                raise SystemExit("worker did not come up")
            time.sleep(0.5)
        rows["health_all_up"] = measure_health(health, args.requests)
        redis.stop()
        rows["health_redis_down"] = measure_health(health, args.requests)
        # A hung Redis: the port accepts connections and never answers (bounded by REDIS_SOCKET_TIMEOUT).
        hung = socket.socket()
        hung.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        hung.bind(("127.0.0.1", redis.port))
        hung.listen(1024)
        try:
            rows["health_redis_hung"] = measure_health(health, max(10, args.requests // 3))
        finally:
            hung.close()
    finally:
        server.stop()
        worker.stop()
        redis.__exit__()
    rows["linkcheck_instant"] = measure_links(args.urls, args.concurrency, args.per_host, args.hosts, "/ok")
    rows["linkcheck_100ms"] = measure_links(args.urls, args.concurrency, args.per_host, args.hosts, "/pause")

    print(f"{'health case':<22}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}  statuses / components not ok")
    for key in ("health_all_up", "health_redis_down", "health_redis_hung"):
        r = rows[key]
        print(
            f"{key:<22}{r['n']:>5}{r['p50_ms']:>9}{r['p95_ms']:>9}{r['max_ms']:>9}  "
            f"{r['statuses']} {','.join(r['not_ok']) or '-'}"
        )
    print()
    print(f"{'link check':<22}{'urls':>6}{'hosts':>6}{'conc':>6}{'/host':>6}{'secs':>8}{'URLs/s':>9}{'ok':>6}")
    for key in ("linkcheck_instant", "linkcheck_100ms"):
        r = rows[key]
        print(
            f"{key:<22}{r['urls']:>6}{r['hosts']:>6}{r['concurrency']:>6}{r['per_host']:>6}"
            f"{r['seconds']:>8}{r['urls_per_s']:>9}{r['ok']:>6}"
        )
    target = 200.0
    rows["health_target_ms"] = target
    rows["health_target_met"] = all(rows[k]["p95_ms"] <= target for k in ("health_all_up", "health_redis_down"))
    print(json.dumps({"bench": "ops", **rows}))


if __name__ == "__main__":
    main()
