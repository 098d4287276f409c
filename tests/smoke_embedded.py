"""Smoke test of the embedded default (SQLite, no Redis): migrate, import a slice, load the home page.

Run by .ci/run as `python -m tests.smoke_embedded` with DATABASE_URL pointing at a fresh SQLite file.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "research_assistant.settings")
os.environ.pop("REDIS_URL", None)


def main() -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    assert settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"), "smoke test must run on SQLite"
    assert settings.CELERY_TASK_ALWAYS_EAGER, "embedded default runs tasks eagerly"
    call_command("migrate", verbosity=0)
    shared = Path(settings.BASE_DIR).parent / "shared"
    call_command("import_catalog", str(shared / "data" / "seed_catalog" / "singapore_datasets.csv"))
    response = Client().get("/")
    body = response.content.decode()
    assert response.status_code == 200, response.status_code
    assert "Dataset Research Assistant" in body
    health = Client().get("/api/health").json()  # anonymous: the status only
    assert health["status"] in {"ok", "degraded"} and "components" not in health, health
    print(f"smoke (embedded default): home 200, health {health['status']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
