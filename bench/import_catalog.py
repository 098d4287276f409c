"""Import speed of the whole demo catalog into a fresh database (embeddings excluded).

    .venv/bin/python bench/import_catalog.py [--shared ../shared]

Without DATABASE_URL it uses a new SQLite file in a temporary directory. With DATABASE_URL
(e.g. PostgreSQL) it creates a fresh ``test_<name>`` database beside the configured one (Django's
test-database machinery), imports there and drops it afterwards. Imports the four demo sources
(seed CSVs, data.gov.sg JSON + collections, the DataFinder corpus), then imports them all again
(the idempotent pass must write nothing). Prints a table and a final JSON line. Target: all
~7,500 records in under 30 s.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "research_assistant.settings")

TARGET_SECONDS = 30.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"), help="the shared data directory")
    args = parser.parse_args()
    tmp = None
    if not os.environ.get("DATABASE_URL"):
        tmp = tempfile.TemporaryDirectory(prefix="ra-bench-import-")
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp.name}/bench.sqlite3"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from catalog.demo import demo_sources
    from catalog.models import Dataset
    from catalog.services import catalog_import

    fresh_db = None
    if connection.vendor == "sqlite":
        call_command("migrate", verbosity=0)
    else:
        fresh_db = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        rows, total_records, total_seconds = [], 0, 0.0
        for path in demo_sources(Path(args.shared)):
            report = catalog_import(path=path, notify_search=False)
            total_records += report.records
            total_seconds += report.seconds
            rows.append(("import", report))
        reimport_seconds = 0.0
        reimport_writes = 0
        for path in demo_sources(Path(args.shared)):
            report = catalog_import(path=path, notify_search=False)
            reimport_seconds += report.seconds
            reimport_writes += report.created + report.updated
            rows.append(("re-import", report))
        datasets = Dataset.objects.count()
        vendor = connection.vendor
    finally:
        if fresh_db is not None:
            connection.creation.destroy_test_db(fresh_db, verbosity=0)
        if tmp is not None:
            tmp.cleanup()

    header = f"{'pass':<10} {'file':<22} {'format':<10} {'records':>7} {'created':>7} {'updated':>7} {'unchanged':>9} {'skipped':>7} {'seconds':>8} {'rec/s':>8}"
    print(f"catalog import on {vendor}")
    print(header)
    print("-" * len(header))
    for label, r in rows:
        rate = r.records / r.seconds if r.seconds else 0.0
        print(
            f"{label:<10} {Path(r.path).name:<22} {r.format:<10} {r.records:>7} {r.created:>7} {r.updated:>7} "
            f"{r.unchanged:>9} {r.skipped:>7} {r.seconds:>8.2f} {rate:>8.0f}"
        )
    rate = total_records / total_seconds if total_seconds else 0.0
    print("-" * len(header))
    print(f"first import: {total_records} records ({datasets} datasets) in {total_seconds:.2f}s = {rate:.0f} records/s")
    print(f"re-import: {reimport_seconds:.2f}s, {reimport_writes} writes")
    result = {
        "bench": "import_catalog",
        "database": vendor,
        "records": total_records,
        "datasets": datasets,
        "total_seconds": round(total_seconds, 3),
        "records_per_second": round(rate, 1),
        "reimport_seconds": round(reimport_seconds, 3),
        "reimport_writes": reimport_writes,
        "target_seconds": TARGET_SECONDS,
        "within_target": total_seconds < TARGET_SECONDS,
    }
    print(json.dumps(result))
    return 0 if result["within_target"] and reimport_writes == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
