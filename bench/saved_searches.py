#!/usr/bin/env python
"""Saved searches: what saving costs on the request path (the baseline search), what one matching
run costs after a batch of catalog changes, what a quiet run costs (nothing changed), and the digest.

On the demo catalog (``manage.py bootstrap``: ~7,300 records, precomputed embeddings), with
--users users each saving --per-user searches drawn from bench/data/everyday_queries.jsonl and
tests/data/sg_search_queries.jsonl, then --changes datasets edited (a word added to the description) and --new datasets added (new
editions of matched ones), and the index rebuilt. Its own throwaway database (a sibling PostgreSQL database
``<name>_bench_saved`` with a PostgreSQL DATABASE_URL, else a temporary SQLite file) and INDEX_DIR,
removed at the end. With REDIS_URL set the cache is Redis, as in production.

    .venv/bin/python bench/saved_searches.py [--users 20] [--per-user 10] [--changes 50]

Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_speed import _drop_database, _prepare_environment  # noqa: E402 - bench/: this script's directory


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _queries() -> list[str]:
    out: list[str] = []
    for path in (
        ROOT / "bench" / "data" / "everyday_queries.jsonl",
        ROOT / "tests" / "data" / "sg_search_queries.jsonl",
    ):
        for line in path.read_text().splitlines():
            if line.strip():
                out.append(" ".join(json.loads(line)["query"].split())[:500])
    return list(dict.fromkeys(out))


def measure(args) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db.models import F, Value
    from django.db.models.functions import Concat
    from django.utils import timezone

    from catalog.models import Dataset
    from search import services as search_services
    from search.models import SavedSearch, SavedSearchMatch
    from search.saved import digest, matching, services
    from tests.factories import UserFactory

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    call_command("bootstrap", verbosity=0)
    bootstrap_s = time.perf_counter() - t0
    # An established catalog: nothing written in the last days (the loader stamps its load time).
    Dataset.objects.update(updated_at=timezone.now() - timedelta(days=3))
    search_services.index_rebuild()
    catalog_size = Dataset.objects.active().count()

    queries = _queries()
    rng = random.Random(7)
    save_ms: list[float] = []
    for u in range(args.users):
        user = UserFactory(username=f"bench{u}")
        for q in rng.sample(queries, args.per_user):
            started = time.perf_counter()
            services.saved_search_create(user=user, query=q, email_digest=u % 2 == 0)
            save_ms.append((time.perf_counter() - started) * 1000)
    saved_count = SavedSearch.objects.count()

    # A harvest-like batch: edits, plus new editions of datasets the saved searches match, then the
    # re-index the signal would queue.
    active = sorted(Dataset.objects.active().values_list("pk", flat=True))
    changed = rng.sample(active, args.changes)
    Dataset.objects.filter(pk__in=changed).update(
        description=Concat(F("description"), Value(" Updated by the bench.")), updated_at=timezone.now()
    )
    matched = sorted(set(SavedSearchMatch.objects.values_list("dataset_id", flat=True)))
    for original in Dataset.objects.filter(pk__in=rng.sample(matched, min(args.new, len(matched)))):
        original.pk = None
        original.external_id = f"{original.external_id}-bench-edition"
        original.title = f"{original.title} (new edition)"
        original.family = None
        original.save()
        changed.append(original.pk)
    matching._content_mark(changed)  # what the commit hook of datasets_changed records
    t0 = time.perf_counter()
    search_services.index_ensure()  # embeds the new editions, then builds
    rebuild_s = time.perf_counter() - t0

    runs = []
    while True:
        t0 = time.perf_counter()
        report = matching.saved_searches_match()
        runs.append(((time.perf_counter() - t0) * 1000, report))
        if not report["pending"]:
            break
    changed_run_ms = sum(ms for ms, _ in runs)
    ran = sum(r["ran"] for _, r in runs)
    new = sum(r["new"] for _, r in runs)

    # A quiet run: a link check touched datasets (not their content) and the index moved on.
    unchanged = Dataset.objects.exclude(pk__in=changed).values_list("pk", flat=True)[:50]
    matching._content_mark(list(unchanged))
    search_services.index_rebuild()
    t0 = time.perf_counter()
    quiet = matching.saved_searches_match()
    quiet_ms = (time.perf_counter() - t0) * 1000

    t0 = time.perf_counter()
    sent = digest.digests_send()
    digest_ms = (time.perf_counter() - t0) * 1000
    return {
        "catalog_active": catalog_size,
        "bootstrap_s": round(bootstrap_s, 1),
        "saved_searches": saved_count,
        "save_p50_ms": round(statistics.median(save_ms), 1),
        "save_p95_ms": round(percentile(save_ms, 0.95), 1),
        "changed_datasets": len(changed),
        "index_rebuild_s": round(rebuild_s, 2),
        "match_run_ms": round(changed_run_ms, 1),
        "match_runs": len(runs),
        "match_per_search_ms": round(changed_run_ms / max(ran, 1), 2),
        "searched": ran,
        "new_matches": new,
        "recorded_matches": SavedSearchMatch.objects.count(),
        "quiet_run_ms": round(quiet_ms, 1),
        "quiet_searched": quiet["ran"],
        "digest_ms": round(digest_ms, 1),
        "digests_sent": sent["sent"],
        "digest_datasets": sent["datasets"],
        "batch": settings.SAVED_SEARCH_BATCH,
        "depth": settings.SAVED_SEARCH_MATCH_DEPTH,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--per-user", type=int, default=10)
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--new", type=int, default=10, help="new datasets (editions of matched ones)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="ra-bench-saved-"))
    env = _prepare_environment(workdir)
    if env.get("_BENCH_PG_DROP"):  # a database name of its own, beside search_speed's
        admin, name = env["_BENCH_PG_DROP"].split("|")
        import psycopg

        own = name.replace("_bench_speed", "_bench_saved")
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'DROP DATABASE IF EXISTS "{own}"')
            conn.execute(f'CREATE DATABASE "{own}"')
        env["_BENCH_PG_DROP"] = f"{admin}|{own}"
        env["DATABASE_URL"] = env["DATABASE_URL"].replace(name, own)
        os.environ["DATABASE_URL"] = env["DATABASE_URL"]
    try:
        result = measure(args)
    finally:
        _drop_database(env)
        shutil.rmtree(workdir, ignore_errors=True)
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    print(json.dumps({"bench": "saved_searches", **result}))


if __name__ == "__main__":
    main()
