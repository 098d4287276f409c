from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from catalog.demo import FIXTURE, demo_fixture_build


class Command(BaseCommand):
    help = (
        "Rebuild catalog/fixtures/demo_catalog.json.gz from the shared data (data.gov.sg JSON + collections, "
        "the seed CSVs, the DataFinder corpus). Runs the imports in a throw-away SQLite database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--shared", default=str(Path(settings.BASE_DIR).parent / "shared"), help="shared data dir")
        parser.add_argument("--output", default=str(FIXTURE))
        parser.add_argument(
            "--in-current-database",
            action="store_true",
            help="import into the configured (empty) database instead of a temporary one",
        )

    def handle(self, *args, **options):
        if options["in_current_database"]:
            try:
                reports = demo_fixture_build(output=Path(options["output"]), shared_dir=Path(options["shared"]))
            except RuntimeError as exc:
                raise CommandError(str(exc)) from None
            for report in reports:
                self.stdout.write(report.summary())
            self.stdout.write(f"Wrote {options['output']}")
            return
        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
        with tempfile.TemporaryDirectory(prefix="ra-demo-fixture-") as tmp:
            env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
            env["DATABASE_URL"] = f"sqlite:///{tmp}/build.sqlite3"
            env["DJANGO_SETTINGS_MODULE"] = "research_assistant.settings"
            for step in (
                ["migrate", "--noinput", "-v0"],
                [
                    "build_demo_fixture",
                    "--in-current-database",
                    "--shared",
                    options["shared"],
                    "--output",
                    options["output"],
                ],
            ):
                result = subprocess.run([*manage, *step], env=env, cwd=settings.BASE_DIR, check=False)
                if result.returncode:
                    raise CommandError(f"{' '.join(step[:1])} failed with exit code {result.returncode}")
