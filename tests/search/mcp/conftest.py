"""A committed catalog with dataset families, two API users and their tokens, for the MCP server tests.

Committed (built once per module outside any test transaction) so that server processes started by a
test, gunicorn or ``manage.py mcp_stdio``, read the same rows and the same index files.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from django.conf import settings

from search import services
from search.index import forget_current_index
from tests.conftest import ROOT, _database_url_for_test_db


@pytest.fixture(scope="module")
def mcp_catalog_ids(django_db_setup, django_db_blocker):
    from rest_framework.authtoken.models import Token

    from tests.factories import UserFactory
    from tests.search.test_families_search import make_family_catalog

    forget_current_index()
    with django_db_blocker.unblock():
        ids = make_family_catalog()
        services.index_ensure()
        agent = UserFactory(username="mcp-agent")
        curator = UserFactory(username="mcp-curator", is_staff=True)
        ids["agent_token"] = Token.objects.create(user=agent).key
        ids["curator_token"] = Token.objects.create(user=curator).key
    yield ids
    with django_db_blocker.unblock():
        from django.contrib.auth import get_user_model

        from catalog.models import Dataset, DatasetFamily, Publisher, Source
        from search.models import IndexState, QueryStat

        get_user_model().objects.filter(username__in=["mcp-agent", "mcp-curator"]).delete()
        Dataset.objects.filter(pk__in=[v for v in ids.values() if isinstance(v, int)]).delete()
        DatasetFamily.objects.all().delete()
        Source.objects.filter(slug="datagovsg").delete()
        Publisher.objects.filter(slug__in=["housing-and-development-board", "national-environment-agency"]).delete()
        IndexState.objects.all().delete()
        QueryStat.objects.all().delete()
    forget_current_index()


@pytest.fixture
def mcp_catalog(mcp_catalog_ids, db) -> dict:
    return mcp_catalog_ids


@pytest.fixture(scope="module")
def server_database_url(mcp_catalog_ids, django_db_blocker, tmp_path_factory) -> str:
    """The database a server process can open with the catalog in it: the test database itself, or a file
    copy of the in-memory SQLite test database (which no other process can open)."""
    from django.db import connection

    url = _database_url_for_test_db()
    if connection.vendor != "sqlite":
        return url
    path = tmp_path_factory.mktemp("mcp-db") / "mcp.sqlite3"
    import sqlite3

    with django_db_blocker.unblock():
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
    return f"sqlite:///{path}"


def server_process_env(database_url: str) -> dict[str, str]:
    """Environment for a server process on ``database_url`` reading this run's index files."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "CELERY_TASK_ALWAYS_EAGER"}}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=database_url,
        RA_TEST_INDEX_DIR=str(settings.INDEX_DIR),
        PYTHONPATH=str(ROOT),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
    )
    return env


MANAGE = [sys.executable, str(Path(ROOT) / "manage.py")]
