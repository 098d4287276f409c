"""Load bench: throughput and latency of concurrent searches and chats on the production stack.

    .venv/bin/python bench/load.py [--seconds 20] [--searches 20] [--chats 5] [--database-url URL]

Starts a throwaway redis-server (spare port >= 6390), a Celery worker and gunicorn (deploy/gunicorn.conf.py,
production settings, 2 workers) on PostgreSQL (a fresh database ``ra_bench_load`` unless --database-url is
given) with the demo catalog (``manage.py bootstrap``). Then, for --seconds, --searches clients loop over
everyday queries on ``GET /api/search`` (cache cold for each new query, warm for repeats) while --chats
clients hold multi-turn conversations on ``POST /api/conversation``. Prints requests/s, p50 / p95 / p99 and
errors per kind, and a final JSON line. No regression is the target (issue 15: 58 searches/s, p95 734 ms).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.ops.servers import CeleryWorker, Gunicorn, RedisServer  # noqa: E402

QUERIES = [
    "hdb resale prices", "monthly rainfall", "dengue cases", "taxi availability", "school enrolment",
    "air quality psi", "population by age", "car park rates", "hawker centres", "electricity consumption",
    "covid vaccination", "gdp growth", "unemployment rate", "bus ridership", "recycling rate",
    "image segmentation datasets", "speech recognition corpus", "crime statistics", "tourist arrivals",
]  # fmt: skip
_LOCK = threading.Lock()
DIALOGUE = ["hdb resale prices by town", "only csv", "exclude the ones from URA", "who publishes the second one?"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))] if ordered else 0.0


def _client_loop(kind: str, base: str, stop_at: float, out: dict, n: int) -> None:
    latencies, errors = out.setdefault(kind, ([], {}))
    queries = itertools.cycle(QUERIES[n % len(QUERIES) :] + QUERIES[: n % len(QUERIES)])
    with httpx.Client(base_url=base, timeout=30) as http:
        conversation_id = None
        turn = 0
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                if kind == "search":
                    response = http.get("/api/search", params={"q": next(queries)})
                else:
                    body = {"message": DIALOGUE[turn % len(DIALOGUE)]}
                    if conversation_id and turn % len(DIALOGUE):
                        body["conversation_id"] = conversation_id
                    response = http.post("/api/conversation", json=body)
                    if response.status_code == 200:
                        conversation_id = response.json()["conversation_id"]
                    if session := response.cookies.get("sessionid"):  # a Secure cookie: httpx keeps none over http
                        http.cookies.set("sessionid", session)
                    turn += 1
                code = str(response.status_code)
            except httpx.HTTPError as exc:
                code = exc.__class__.__name__
            with _LOCK:
                latencies.append((time.perf_counter() - started) * 1000)
                if code != "200":
                    errors[code] = errors.get(code, 0) + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--searches", type=int, default=20)
    parser.add_argument("--chats", type=int, default=5)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="ra-bench-load-"))
    database_url = args.database_url
    if not database_url:
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", "DROP DATABASE IF EXISTS ra_bench_load"], check=True
        )
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", "CREATE DATABASE ra_bench_load"], check=True
        )
        database_url = "postgres://postgres@127.0.0.1:5432/ra_bench_load"
    redis = RedisServer().start()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_TASK_ALWAYS_EAGER"}}
    env.update(
        DJANGO_SETTINGS_MODULE="research_assistant.settings",
        DJANGO_ENV="production",
        SECRET_KEY="bench-load-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        REDIS_URL=redis.url,
        INDEX_DIR=str(tmp / "index"),
        STATIC_ROOT=str(tmp / "static"),
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        GUNICORN_ACCESS_LOG="",
        API_THROTTLE_ANON="1000000/min",
        API_THROTTLE_USER="1000000/min",
        PYTHONPATH=str(ROOT),
        HF_HUB_OFFLINE="1",
        WARM_UP="1",
    )
    for command in (["migrate", "--noinput", "-v", "0"], ["bootstrap"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    worker = CeleryWorker(env).start()
    server = Gunicorn(env, workers=2).start(ready_timeout=180)
    out: dict = {}
    try:
        httpx.get(f"{server.url}/api/search", params={"q": "warm up"}, timeout=60)
        stop_at = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=_client_loop, args=(kind, server.url, stop_at, out, i))
            for kind, count in (("search", args.searches), ("chat", args.chats))
            for i in range(count)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        server.stop()
        worker.stop()
        redis.stop()
    figures = {"seconds": round(elapsed, 1), "clients": {"search": args.searches, "chat": args.chats}}
    print(f"\nLoad on gunicorn (2 workers) + Celery + Redis + PostgreSQL, {elapsed:.0f} s")
    print(f"{'kind':<8}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  errors")
    for kind in ("search", "chat"):
        latencies, errors = out.get(kind, ([], {}))
        row = {
            "requests": len(latencies),
            "per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(percentile(latencies, 0.5), 1),
            "p95_ms": round(percentile(latencies, 0.95), 1),
            "p99_ms": round(percentile(latencies, 0.99), 1),
            "errors": errors,
        }
        figures[kind] = row
        print(
            f"{kind:<8}{row['requests']:>10}{row['per_s']:>9}{row['p50_ms']:>9}{row['p95_ms']:>9}{row['p99_ms']:>9}  {errors or 0}"
        )
    print(json.dumps({"load": figures}))


if __name__ == "__main__":
    main()
