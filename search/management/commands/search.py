"""manage.py search "query" [--top-k N] [--json]: the search service at a terminal."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from search import services


class Command(BaseCommand):
    help = "Search the catalog like /api/search does and print the ranked results."

    def add_arguments(self, parser):
        parser.add_argument("query", help="What to look for, in quotes.")
        parser.add_argument("--top-k", type=int, default=10, help="How many results (1-50, default 10).")
        parser.add_argument("--page", type=int, default=1)
        parser.add_argument("--source", action="append", help="Only this source slug (repeatable).")
        parser.add_argument("--format", action="append", help="Only datasets in this format (repeatable).")
        parser.add_argument("--json", action="store_true", help="Print the full response as JSON.")

    def handle(self, *args, query: str, top_k: int, page: int, source, format, json: bool, **options):  # noqa: A002
        filters = {k: v for k, v in {"source": source, "format": format}.items() if v}
        try:
            response = services.search(query=query, filters=filters, top_k=top_k, page=page)
        except services.SearchValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items())) from exc
        if json:
            self.stdout.write(_dumps(response.to_dict()))
            return
        if not response.results:
            self.stdout.write("No matching datasets.")
            return
        start = (response.page - 1) * response.top_k
        for rank, hit in enumerate(response.results, start=start + 1):
            self.stdout.write(f"{rank:>3}. {hit.title}  [{hit.source}/{hit.external_id}]  score {hit.score:.3f}")
            if hit.publisher:
                self.stdout.write(f"     {hit.publisher} · {', '.join(hit.formats) or 'no format'}")
            self.stdout.write(f"     why: {'; '.join(hit.why)}")
            if hit.url:
                self.stdout.write(f"     {hit.url}")
        self.stdout.write(
            f"{response.total} matching · page {response.page}/{max(1, response.pages)} · "
            f"{response.took_ms:.0f} ms{' (cached)' if response.cached else ''}"
        )


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
