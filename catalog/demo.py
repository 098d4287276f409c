"""The demo catalog: a compressed Django fixture built from the shared data, and a fast loader.

``demo_fixture_build`` imports the demo sources (data.gov.sg JSON + collections, both seed CSVs,
the DataFinder corpus) into the *current, empty* database and dumps the catalog app to
``catalog/fixtures/demo_catalog.json.gz`` (``manage.py build_demo_fixture`` does this in a
throw-away SQLite database). ``demo_fixture_load`` reads the same file with bulk inserts —
``loaddata`` saves row by row and takes far longer for ~7,400 datasets.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from .licences import licence_normalise
from .models import Dataset, Source
from .research import research_labels
from .services import catalog_import, catalog_tidy_and_group

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "demo_catalog.json.gz"
LOAD_ORDER = ["catalog.source", "catalog.publisher", "catalog.tag", "catalog.dataset", "catalog.distribution"]
BATCH = 1000
FIXED_TIMESTAMP = datetime(2025, 1, 1, tzinfo=UTC)


def demo_sources(shared_dir: Path) -> list[Path]:
    """The demo inputs, in import order (CSV before the richer portal JSON; order does not matter)."""
    shared_dir = Path(shared_dir)
    return [
        shared_dir / "data" / "seed_catalog" / "singapore_datasets.csv",
        shared_dir / "data" / "seed_catalog" / "global_datasets.csv",
        shared_dir / "data" / "datagovsg",
        shared_dir / "benchmarks" / "datafinder" / "corpus.jsonl",
    ]


def demo_fixture_build(*, output: Path, shared_dir: Path, progress: bool = False) -> list:
    """Import the demo sources into this (empty) database and dump the catalog to ``output``."""

    if Dataset.objects.exists():
        raise RuntimeError("build the demo fixture into an empty database")
    reports = [catalog_import(path=p, progress=progress, notify_search=False) for p in demo_sources(shared_dir)]
    # Fixed row timestamps make a rebuild from unchanged data byte-identical (the loader stamps
    # its own load time anyway: bulk inserts fill auto_now/auto_now_add).
    Dataset.objects.update(created_at=FIXED_TIMESTAMP, updated_at=FIXED_TIMESTAMP)
    Source.objects.update(created_at=FIXED_TIMESTAMP)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    # Plain JSON, one object per line, then gzip with a fixed mtime so rebuilds are byte-stable.
    raw = output.with_suffix("")
    call_command("dumpdata", *LOAD_ORDER, output=str(raw), indent=None, verbosity=0)
    with raw.open("rb") as src, open(output, "wb") as dst, gzip.GzipFile(fileobj=dst, mode="wb", mtime=0) as gz:
        gz.write(src.read())
    raw.unlink()
    return reports


def demo_fixture_load(*, path: Path = FIXTURE) -> int:
    """Bulk-insert the fixture (primary keys kept); returns the number of datasets loaded.

    Assumes the catalog tables are empty (bootstrap checks); runs in one transaction.
    """
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    by_model: dict[str, list] = defaultdict(list)
    tags_by_dataset: dict[int, list[int]] = {}
    for obj in serializers.deserialize("python", data, ignorenonexistent=True):
        label = obj.object._meta.label_lower
        by_model[label].append(obj.object)
        # m2m_data is always a dict from the python deserializer (the stubs allow None)
        if label == "catalog.dataset" and obj.m2m_data.get("tags"):  # type: ignore[union-attr]
            tags_by_dataset[obj.object.pk] = [int(t) for t in obj.m2m_data["tags"]]  # type: ignore[index]
    # Fixtures built before licence ids and research labels existed get them as an import would.
    kinds = {s.pk: s.kind for s in by_model.get("catalog.source", [])}
    for dataset in by_model.get("catalog.dataset", []):
        if not dataset.license_id:
            dataset.license_id = licence_normalise(dataset.license)
        if kinds.get(dataset.source_id) == "research" and not (dataset.tasks or dataset.modalities):
            dataset.tasks, dataset.modalities = research_labels(title=dataset.title, description=dataset.description)
    with transaction.atomic():
        for label in LOAD_ORDER:
            model = apps.get_model(label)
            model.objects.bulk_create(by_model.get(label, []), batch_size=BATCH)
        through = apps.get_model("catalog.dataset").tags.through
        through.objects.bulk_create(
            [through(dataset_id=d, tag_id=t) for d, tags in tags_by_dataset.items() for t in tags], batch_size=BATCH
        )
        sql = connection.ops.sequence_reset_sql(no_style(), [apps.get_model(label) for label in LOAD_ORDER])
        if sql:
            with connection.cursor() as cursor:
                for statement in sql:
                    cursor.execute(statement)
    return len(by_model.get("catalog.dataset", []))


def catalog_bootstrap(*, fixture: Path | None = None) -> int:
    """Load the demo catalog when the database has no datasets; returns how many were loaded (0 if none)."""
    if Dataset.objects.exists():
        return 0
    loaded = demo_fixture_load(path=Path(fixture or settings.DEMO_FIXTURE))
    catalog_tidy_and_group(notify=False)  # the index is built next from the rows as they are now
    return loaded
