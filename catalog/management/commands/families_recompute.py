"""``manage.py families_recompute``: repair titles, hide junk and recompute dataset families now.

Imports and ``bootstrap`` do this on their own; run it once after upgrading a database that already
holds a catalog, or after changing the family rules. Search re-indexes the datasets that changed.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from catalog.services import catalog_tidy_and_group


class Command(BaseCommand):
    help = "Repair empty titles, hide junk records and recompute dataset families over the whole catalog."

    def handle(self, *args, **options):
        report = catalog_tidy_and_group()
        self.stdout.write(
            f"{report.families} families over {report.grouped} datasets; {len(report.changed_ids)} datasets changed "
            f"({report.titles_repaired} titles repaired, {report.hidden} hidden, {report.shown} shown again)"
        )
