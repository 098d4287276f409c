"""``manage.py check_links [--limit N] [--stale-only] [--dataset ID ...]``: check and store link health now."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from catalog.linkcheck import links_check


class Command(BaseCommand):
    help = "Check datasets' landing and distribution URLs and store their link status (HEAD, GET fallback)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="Check at most N datasets (stalest first).")
        parser.add_argument(
            "--stale-only",
            action="store_true",
            help="Only datasets never checked or checked longer than LINK_CHECK_MAX_AGE_HOURS ago.",
        )
        parser.add_argument("--dataset", type=int, action="append", dest="dataset_ids", help="Only this dataset id.")
        parser.add_argument("--concurrency", type=int, default=None, help="Override LINK_CHECK_CONCURRENCY.")

    def handle(self, *args, limit=None, stale_only=False, dataset_ids=None, concurrency=None, **options):
        report = links_check(limit=limit, stale_only=stale_only, dataset_ids=dataset_ids, concurrency=concurrency)
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(report.outcomes.items())) or "nothing to check"
        self.stdout.write(
            self.style.SUCCESS(
                f"Checked {report.urls} URLs of {report.datasets} datasets in {report.seconds:.1f}s: {outcomes}"
            )
        )
