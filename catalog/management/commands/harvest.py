from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from catalog.harvest.service import harvest_run
from catalog.models import HarvestSource

MAX_ERRORS_SHOWN = 50


class Command(BaseCommand):
    help = (
        "Harvest one source (by id or name) or every enabled one (--all) now, in this process; "
        "prints each run's report. The same service as the schedule and the admin's 'Harvest now'."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", nargs="?", help="harvest source id or exact name")
        parser.add_argument("--all", action="store_true", help="every enabled source")
        parser.add_argument(
            "--full", action="store_true", help="a complete listing (no modified-since, no ETag); may withdraw"
        )

    def handle(self, *args, **options):
        if bool(options["source"]) == bool(options["all"]):
            raise CommandError("name one source (id or name) or pass --all")
        if options["all"]:
            sources = list(HarvestSource.objects.filter(enabled=True))
        else:
            ref = options["source"]
            query = (
                HarvestSource.objects.filter(pk=int(ref)) if ref.isdigit() else HarvestSource.objects.filter(name=ref)
            )
            sources = list(query)
            if not sources:
                raise CommandError(f"no harvest source {ref!r}")
        failed = 0
        for source in sources:
            run = harvest_run(source_id=source.pk, trigger="command", full=options["full"])
            if run is None:
                self.stdout.write(self.style.WARNING(f"{source.name}: a run is already under way; skipped"))
                continue
            counts = ", ".join(f"{v} {k}" for k, v in run.counts().items())
            self.stdout.write(f"{source.name} [{run.status}]: {counts} ({run.pages} page(s))")
            for ref, reason in run.errors[:MAX_ERRORS_SHOWN]:
                self.stdout.write(self.style.WARNING(f"  {ref}: {reason}"))
            if run.notes:
                self.stdout.write(f"  {run.notes}")
            failed += run.status == run.Status.FAILED
        if failed:
            raise CommandError(f"{failed} harvest(s) failed")
