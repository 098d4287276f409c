#!/usr/bin/env python
"""Search speed: service latency (uncached, model warm; and cached), index build throughput,
web-process memory with the index loaded, and cold start to first answer.

Two catalogs:
  * the demo catalog (catalog/fixtures/demo_catalog.json.gz, ~7,300 real records);
  * a synthetic catalog of --synthetic datasets (default 100,000): the demo records plus records
    recombined from them (title of one, description sentences of two, facets of the first). Their
    embeddings are synthesised from the two parents' real vectors plus noise, so the bench runs in
    minutes; the index files are written directly (the rows still go into the database, because
    results are hydrated from it exactly as in production).

It never touches your data: it creates its own database (a sibling PostgreSQL database
``<name>_bench_speed`` when DATABASE_URL is PostgreSQL, else a temporary SQLite file) and its own
INDEX_DIR, and removes both at the end. With REDIS_URL set the cache is Redis, as in production.

    .venv/bin/python bench/search_speed.py [--synthetic 100000] [--queries 150]

Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from search_speed_measure import (
    demo_catalog_measure,
    size_label,
    synthetic_catalog_measure,
)  # bench/: this script's directory

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATAFINDER_QUERIES = ROOT.parent / "shared" / "benchmarks" / "datafinder" / "queries_dev.jsonl"
SG_QUERIES = ROOT / "tests" / "data" / "sg_search_queries.jsonl"


def _targets(size: int) -> dict[str, str]:
    """The targets the issues set for a catalog of ``size`` (issue 16: a million datasets on one node)."""
    if size >= 1_000_000:
        return {"uncached": "≤ 40 / ≤ 100", "cached": "p95 ≤ 2", "rss": "≤ 2048"}
    return {"uncached": "≤ 40 / ≤ 60", "cached": "p95 ≤ 2", "rss": "≤ 1024"}


def _queries() -> list[str]:
    out: list[str] = []
    if DATAFINDER_QUERIES.is_file():
        for line in DATAFINDER_QUERIES.read_text().splitlines():
            row = json.loads(line)
            out += [row["query"], row["keyphrase_query"]]
    if SG_QUERIES.is_file():
        for line in SG_QUERIES.read_text().splitlines():
            if line.strip():
                out.append(json.loads(line)["query"])
    out += [
        "HDB resale flat prices by town",
        "dengue cases per week",
        "COE bidding results",
        "monthly rainfall Changi",
        "population by age and sex",
        "GDP growth worldwide",
        "primary school enrolment",
        "hawker centres locations",
        "electricity consumption households",
        "carbon emissions per capita",
    ]
    seen: dict[str, None] = {}
    for q in out:
        seen.setdefault(" ".join(q.split())[:500], None)
    return list(seen)


# --- database and settings ----------------------------------------------------------------


def _prepare_environment(workdir: Path) -> dict:
    """Point Django at a throwaway database and index directory; returns the env for children."""
    url = os.environ.get("DATABASE_URL", "")
    # Snapshots of the builds on a "shared volume" (a directory), as the deployment notes advise past a few
    # hundred thousand datasets, rather than gigabytes in the throwaway database.
    env = {
        "INDEX_DIR": str(workdir / "index"),
        "SEARCH_SNAPSHOT_DIR": str(workdir / "snapshots"),
        "DJANGO_SETTINGS_MODULE": "research_assistant.settings",
    }
    (workdir / "snapshots").mkdir(parents=True, exist_ok=True)
    if url.startswith(("postgres://", "postgresql://")):
        base, _, name = url.rpartition("/")
        name = name.split("?")[0] or "postgres"
        bench_db = f"{name}_bench_speed"
        import psycopg

        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{bench_db}"')
            conn.execute(f'CREATE DATABASE "{bench_db}"')
        env["DATABASE_URL"] = f"{base}/{bench_db}"
        env["_BENCH_PG_DROP"] = f"{base}/postgres|{bench_db}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.update(env)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_ENV", "development")
    os.environ["DEBUG"] = "false"
    return env


def _drop_database(env: dict) -> None:
    spec = env.get("_BENCH_PG_DROP")
    if not spec:
        return
    admin, name = spec.split("|")
    from django.db import connections

    connections.close_all()
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _child(queries: list[str]) -> None:
    """A fresh 'web process': load Django, the index and the model, answer, report memory."""
    t0 = time.perf_counter()
    import django

    django.setup()
    import psutil

    from search import services

    first = services.search(query=queries[0])
    first_s = time.perf_counter() - t0
    for q in queries[1:40]:
        services.search(query=q)
    info = psutil.Process().memory_full_info()
    # Where the resident pages are: per mapped file (or anonymous memory), the largest first.
    by_mapping: dict[str, int] = {}
    for m in psutil.Process().memory_maps(grouped=True):
        name = m.path if m.path.startswith("/") else "[anonymous]"
        name = name.split("/ra-bench-speed-")[-1] if "ra-bench-speed-" in name else name.rsplit("/", 1)[-1]
        by_mapping[name] = by_mapping.get(name, 0) + m.rss
    top = sorted(by_mapping.items(), key=lambda kv: -kv[1])[:8]
    print(
        json.dumps(
            {
                "first_answer_s_in_process": round(first_s, 2),
                "first_results": len(first.results),
                "rss_mb": round(info.rss / 2**20, 1),
                "uss_mb": round(info.uss / 2**20, 1),
                "pss_mb": round(getattr(info, "pss", 0) / 2**20, 1),
                "rss_by_mapping_mb": {name: round(rss / 2**20, 1) for name, rss in top},
            }
        )
    )


def _cold_start(env: dict, queries: list[str]) -> dict:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--child", "--child-queries", json.dumps(queries[:40])],
        env=os.environ | env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    data["cold_start_to_first_answer_s"] = round(wall - 0, 2)
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--synthetic", type=int, default=100_000, help="size of the synthetic catalog (0 = skip)")
    parser.add_argument("--queries", type=int, default=150, help="distinct queries per latency run")
    parser.add_argument("--embed-sample", type=int, default=512, help="datasets embedded to measure the model")
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="BLAS/torch threads per process (OMP/OPENBLAS/MKL_NUM_THREADS; 0 = leave as configured)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-queries", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(json.loads(args.child_queries))
        return

    if args.threads:
        # Before numpy or torch load (both are imported lazily below); the child inherits them.
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[name] = str(args.threads)
    workdir = Path(tempfile.mkdtemp(prefix="ra-bench-speed-"))
    env = _prepare_environment(workdir)
    import django

    django.setup()
    from django.core.management import call_command

    all_queries = _queries()
    random.Random(1).shuffle(all_queries)
    # Disjoint query sets, so the embedder's query cache never helps a measured call.
    demo_q = all_queries[: args.queries]
    big_q = all_queries[args.queries : 2 * args.queries]
    cold_q = all_queries[2 * args.queries :][:40] or ["population census by planning area"]
    results: dict = {
        "device": _cpu(),
        "database": env["DATABASE_URL"].split(":")[0],
        "cache": _cache_backend(),
        "threads": os.environ.get("OMP_NUM_THREADS", "default"),
        "load_average_before": round(os.getloadavg()[0], 2),
    }
    try:
        call_command("migrate", verbosity=0)
        results["demo"] = demo_catalog_measure(demo_q, embed_sample=args.embed_sample)
        if args.synthetic:
            results["synthetic"] = synthetic_catalog_measure(args.synthetic, big_q, workdir=workdir)
        results["process"] = _cold_start({k: v for k, v in env.items() if not k.startswith("_")}, cold_q)
    finally:
        _drop_database(env)
        shutil.rmtree(workdir, ignore_errors=True)
    _report(results)


def _cpu() -> str:
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        model = "unknown CPU"
    return f"{model}, {os.cpu_count()} cores"


def _cache_backend() -> str:
    from django.conf import settings

    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def _report(r: dict) -> None:
    demo, syn, proc = r["demo"], r.get("synthetic"), r["process"]
    lines = [
        f"Search speed — {r['device']}; database {r['database']}; cache {r['cache']}; "
        f"threads {r['threads']}; load average {r['load_average_before']}",
        f"{'measure':<46}{'value':>14}  target",
        f"{'demo catalog size':<46}{demo['datasets']:>14}",
        f"{'embedding throughput (model, datasets/s)':<46}{demo['embed_per_s']:>14}  ({demo['embed_device']})",
        f"{'demo embeddings stored (s, shipped vectors)':<46}{demo['embeddings_update_s']:>14}",
        f"{'demo index build (s)':<46}{demo['index_build_s']:>14}",
    ]
    for row in (demo["uncached"], demo["cached"], demo["families"]["collapse"], demo["families"]["members"]):
        lines.append(f"{row['name'] + ' p50 / p95 (ms)':<46}{row['p50_ms']:>7} /{row['p95_ms']:>6}")
    lines.append(f"{'demo grouped hits per 10-result page':<46}{demo['families']['grouped_hits_per_page']:>14}")
    if syn:
        lines += [
            f"{'synthetic catalog size':<46}{syn['datasets']:>14}",
            f"{'synthetic index build (s)':<46}{syn['index_build_s']:>14}",
            f"{'synthetic index build (datasets/s)':<46}{syn['index_build_docs_per_s']:>14}",
            f"{'synthetic index on disk (MB)':<46}{syn['index_mb_on_disk']:>14}",
        ]
        u, c, f = syn["uncached"], syn["cached"], syn["filtered"]
        target = _targets(syn["datasets"])
        lines.append(f"{u['name'] + ' p50 / p95 (ms)':<46}{u['p50_ms']:>7} /{u['p95_ms']:>6}  {target['uncached']}")
        lines.append(f"{f['name'] + ' p50 / p95 (ms)':<46}{f['p50_ms']:>7} /{f['p95_ms']:>6}")
        lines.append(f"{c['name'] + ' p50 / p95 (ms)':<46}{c['p50_ms']:>7} /{c['p95_ms']:>6}  {target['cached']}")
        if "browse" in syn:
            b = syn["browse"]
            lines.append(f"{b['name'] + ' p50 / p95 (ms)':<46}{b['p50_ms']:>7} /{b['p95_ms']:>6}")
        for row in (syn["families"]["collapse"], syn["families"]["members"]):
            lines.append(f"{row['name'] + ' p50 / p95 (ms)':<46}{row['p50_ms']:>7} /{row['p95_ms']:>6}")
        for row in (syn["edits"]["found"], syn["edits"]["gone"]):
            lines.append(f"{row['name'] + ' p50 / p95 (ms)':<46}{row['p50_ms']:>7} /{row['p95_ms']:>6}  ≤ 2000")
        lines.append(f"{'full builds the edits caused':<46}{syn['edits']['builds']:>14}")
        ref = syn["references"]
        rows = [ref["exact_scan"], *([ref["ann"]] if "ann" in ref else []), ref["lexical"], ref["tantivy"]]
        for row in rows:
            lines.append(f"{row['name'] + ' p50 / p95 (ms)':<46}{row['p50_ms']:>7} /{row['p95_ms']:>6}")
        if "ann" in ref:
            ratio = ref["exact_scan"]["p50_ms"] / max(ref["ann"]["p50_ms"], 1e-9)
            lines.append(
                f"{'approximate recall@10 / speed-up on exact':<46}{ref['ann_recall_at_10']:>7} /{ratio:>5.1f}x  ≥ 0.98"
            )
        ratio = ref["lexical"]["p50_ms"] / max(ref["tantivy"]["p50_ms"], 1e-9)
        lines.append(f"{'lexical p50, ours / tantivy':<46}{ratio:>13.1f}x")
    label = size_label(syn["datasets"]) if syn else "demo"
    lines += [
        f"{'web process RSS, ' + label + ' index + model (MB)':<46}{proc['rss_mb']:>14}  "
        f"{_targets(syn['datasets'] if syn else 0)['rss']}",
        f"{'  of which private (USS, MB)':<46}{proc['uss_mb']:>14}",
        f"{'cold start to first answer (s)':<46}{proc['cold_start_to_first_answer_s']:>14}",
    ]
    print("\n".join(lines))
    print(json.dumps(r))


if __name__ == "__main__":
    main()
