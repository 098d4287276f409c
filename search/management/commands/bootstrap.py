from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from catalog.demo import catalog_bootstrap
from catalog.selectors import catalog_links_unchecked
from catalog.tasks import links_check_queue
from search import services as search_services


class Command(BaseCommand):
    help = "Load the demo catalog if the database has no datasets, then make sure the search index is ready."

    def add_arguments(self, parser):
        parser.add_argument("--fixture", help="a catalog fixture (.json.gz) instead of the bundled demo catalog")
        parser.add_argument("--skip-index", action="store_true", help="do not run search.services.index_ensure()")
        parser.add_argument(
            "--skip-link-check", action="store_true", help="do not queue the first link check of a loaded catalog"
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            loaded = catalog_bootstrap(fixture=options["fixture"])
        except FileNotFoundError as exc:
            raise CommandError(f"catalog fixture not found: {exc.filename}") from None
        if loaded:
            self.stdout.write(f"Loaded the demo catalog: {loaded} datasets in {time.perf_counter() - started:.1f}s")
        else:
            self.stdout.write("Catalog already has datasets; demo catalog not loaded")
        if not options["skip_index"]:
            result = search_services.index_ensure()
            self.stdout.write(f"Search index: {result}")
        if settings.LINK_CHECK_AFTER_BOOTSTRAP and not options["skip_link_check"] and catalog_links_unchecked():
            # Bounded and polite (LINK_CHECK_BOOTSTRAP_LIMIT / _SECONDS, per-host limits); the hourly
            # beat job carries on with the rest. Eager (embedded) mode runs it here, within the budget.
            links_check_queue(first=True)
            self.stdout.write(f"Link check queued: up to {settings.LINK_CHECK_BOOTSTRAP_LIMIT} datasets never checked")
