"""manage.py search."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.slow


def test_search_command_text(catalog, capsys):
    call_command("search", "monthly rainfall", "--top-k", "2")
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("  1. Rainfall - Monthly Total")
    assert "why:" in out and "matching" in out


def test_search_command_json(catalog, capsys):
    call_command("search", "image classification", "--json", "--top-k", "3")
    data = json.loads(capsys.readouterr().out)
    assert data["results"][0]["title"] == "CIFAR-10" and len(data["results"]) <= 3


def test_search_command_errors(catalog):
    with pytest.raises(CommandError, match="top_k"):
        call_command("search", "rain", "--top-k", "99")
    with pytest.raises(CommandError, match="source"):
        call_command("search", "rain", "--source", "atlantis")
