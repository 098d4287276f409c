from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from catalog.importers import FORMATS, ImportFormatError
from catalog.services import catalog_import

MAX_ERRORS_SHOWN = 50


class Command(BaseCommand):
    help = (
        "Import a catalog file: data.gov.sg datasets.json (collections.json beside it is used) or its "
        "directory, the original CSV, a DataFinder corpus.jsonl, a CKAN package_search/package_show "
        "dump or a DCAT-US data.json. Re-imports are idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--format", choices=sorted(FORMATS), help="skip auto-detection")
        parser.add_argument("--source", help="source slug for CKAN/DCAT dumps (default: from the portal's host)")
        parser.add_argument(
            "--no-progress", action="store_true", help="no progress bar (also off when stderr is not a terminal)"
        )
        parser.add_argument(
            "--no-index",
            action="store_true",
            help="do not queue re-embedding/index rebuild (run `manage.py bootstrap` or rebuild_index later)",
        )

    def handle(self, *args, **options):
        total_errors = 0
        for path in options["paths"]:
            try:
                report = catalog_import(
                    path=path,
                    fmt=options["format"],
                    progress=not options["no_progress"] and sys.stderr.isatty(),
                    source=options["source"],
                    notify_search=not options["no_index"],
                )
            except ImportFormatError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(report.summary())
            for ref, reason in report.errors[:MAX_ERRORS_SHOWN]:
                self.stdout.write(self.style.WARNING(f"  skipped {ref}: {reason}"))
            if report.skipped > MAX_ERRORS_SHOWN:
                self.stdout.write(self.style.WARNING(f"  ... and {report.skipped - MAX_ERRORS_SHOWN} more"))
            for ref, remark in report.notes[:MAX_ERRORS_SHOWN]:
                self.stdout.write(f"  note {ref}: {remark}")
            total_errors += report.skipped
        if total_errors:
            self.stdout.write(self.style.WARNING(f"{total_errors} record(s) skipped"))
