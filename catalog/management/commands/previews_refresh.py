"""manage.py previews_refresh: make data previews now, in this process (the same service as the task)."""

from __future__ import annotations

from collections import Counter

from django.core.management.base import BaseCommand

from catalog.previews import preview_refresh, previews_due


class Command(BaseCommand):
    help = "Make missing or stale data previews now (every previewable one with --force), in this process."

    def add_arguments(self, parser):
        parser.add_argument("--dataset", type=int, action="append", help="Only this dataset id (repeatable).")
        parser.add_argument("--limit", type=int, default=None, help="At most this many distributions.")
        parser.add_argument("--force", action="store_true", help="Remake current previews too.")

    def handle(self, *args, dataset=None, limit=None, force=False, **options):
        outcomes: Counter[str] = Counter()
        for distribution_id in previews_due(dataset_ids=dataset, limit=limit, force=force):
            preview = preview_refresh(distribution_id=distribution_id, force=True)
            if preview is None:
                continue
            outcomes[preview.status] += 1
            detail = preview.reason or f"{len(preview.columns)} columns, {preview.row_count} rows"
            self.stdout.write(f"distribution {distribution_id}: {preview.status} ({detail})")
        summary = ", ".join(f"{n} {status}" for status, n in sorted(outcomes.items())) or "nothing to do"
        self.stdout.write(self.style.SUCCESS(f"previews: {summary}"))
