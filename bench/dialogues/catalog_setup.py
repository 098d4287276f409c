"""The bench database's catalog, shared by bench/assistant.py's sections and the dialogue bench.

By default a SQLite file under var/bench/ (bench/assistant.py sets DATABASE_URL/INDEX_DIR defaults);
created, imported and indexed on first use, then reused.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from django.core.management import call_command

from catalog.demo import catalog_bootstrap
from catalog.models import Dataset
from catalog.services import catalog_import
from search.services import index_ensure

from . import ROOT

SHARED = Path(os.environ.get("SHARED_DIR", ROOT.parent / "shared"))


def assistant_catalog_ensure() -> int:
    """Make sure the bench database holds a real, indexed catalog (imported from ../shared/data once)."""
    call_command("migrate", verbosity=0)
    if not Dataset.objects.exists():
        data = SHARED / "data"
        for path in (data / "datagovsg" / "datasets.json", *sorted((data / "seed_catalog").glob("*.csv"))):
            print(f"importing {path.name} (first run only) ...", file=sys.stderr)
            catalog_import(path=path)
    index_ensure()
    return Dataset.objects.active().count()


def ensure_catalog() -> int:
    """The dialogue bench's catalog: the demo catalog when empty, then assistant_catalog_ensure (index)."""
    call_command("migrate", verbosity=0)
    if not Dataset.objects.exists():
        print("loading the demo catalog (first run only) ...", file=sys.stderr)
        catalog_bootstrap()
    size = assistant_catalog_ensure()
    if not Dataset.objects.filter(source__slug="paperswithcode").exists():
        print("warning: no research datasets in this catalog; research dialogues will fail", file=sys.stderr)
    return size
