"""``manage.py export_dcat [--format ttl|jsonld] [--output FILE] [--base-url URL]``: the whole active
catalog as one DCAT-AP document (the /catalog.ttl and /catalog.jsonld endpoints serve it in pages)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.export import dcat
from catalog.export.common import http_url
from catalog.export.service import dcat_catalog_render


class Command(BaseCommand):
    help = "Export the active catalog as DCAT-AP (Turtle or JSON-LD); import_catalog reads it back."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=sorted(dcat.FORMATS), default="ttl")
        parser.add_argument("--output", help="file to write (default: standard output)")
        parser.add_argument(
            "--base-url", default="http://localhost:8000", help="the site's address, for dataset IRIs (page URLs)"
        )

    def handle(self, *args, format="ttl", output=None, base_url="", **options):
        if not http_url(base_url):
            raise CommandError(f"--base-url must be an http(s) URL, not {base_url!r}")
        started = time.perf_counter()
        text = dcat_catalog_render(fmt=format, base_url=base_url.rstrip("/"))
        if output:
            try:
                Path(output).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"cannot write {output}: {exc.strerror}") from None
            self.stderr.write(f"Wrote {output} ({len(text):,} characters) in {time.perf_counter() - started:.1f}s")
        else:
            sys.stdout.write(text)
