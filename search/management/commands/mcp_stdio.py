"""manage.py mcp_stdio [--user USERNAME]: the MCP server over stdin/stdout, for a local AI assistant or IDE."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError

from search.mcp.server import build_server


class Command(BaseCommand):
    help = (
        "Serve the catalog's MCP tools (search_datasets, get_dataset, get_preview, cite_dataset) over "
        "stdin/stdout. Started by the MCP client; logs go to stderr."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--user",
            help="Act as this user (staff see inactive datasets). Default: anonymous, what any visitor sees.",
        )

    def handle(self, *args, user: str | None = None, **options):
        caller: Any = AnonymousUser()
        if user:
            try:
                caller = get_user_model().objects.get(username=user, is_active=True)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No active user named {user!r}.") from None
        # stdout is the protocol channel from here on: nothing else may write to it.
        build_server(user_for=lambda ctx: caller).run("stdio")
