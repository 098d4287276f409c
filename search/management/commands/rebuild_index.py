"""manage.py rebuild_index: embed what needs embedding, then publish a new index version."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from search import services
from search.models import DatasetEmbedding


class Command(BaseCommand):
    help = "Embed datasets whose content changed (or all, with --reembed) and publish a new search index version."

    def add_arguments(self, parser):
        parser.add_argument("--reembed", action="store_true", help="Recompute every embedding, even current ones.")

    def handle(self, *args, reembed: bool = False, **options):
        started = time.perf_counter()
        if reembed:
            DatasetEmbedding.objects.all().delete()
        written = services.embeddings_update()
        version = services.index_rebuild()
        health = services.index_health()
        self.stdout.write(
            self.style.SUCCESS(
                f"Index v{version}: {health['size']} datasets ({health['active']} active), "
                f"{written} embedded now, in {time.perf_counter() - started:.1f} s."
            )
        )
