"""Test overrides on top of the real settings (same engines: DATABASE_URL/REDIS_URL decide)."""

import os
import tempfile
from pathlib import Path

from research_assistant.settings import *  # noqa: F403
from research_assistant.settings import DATA_DIR  # noqa: F401

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tasks run eagerly unless a test asks for the real worker (the `celery_worker` fixture).
CELERY_TASK_ALWAYS_EAGER = True
# The Celery worker process started by tests/conftest.py shares the test run's index directory.
INDEX_DIR = Path(os.environ.get("RA_TEST_INDEX_DIR") or tempfile.mkdtemp(prefix="ra-test-index-"))
SECURE_SSL_REDIRECT = False
# /api/health shows its components only to staff or with the metrics token (tests/conftest.py HEALTH_AUTH).
METRICS_TOKEN = METRICS_TOKEN or "test-metrics-token-0123456789"  # noqa: F405 - a server test may set its own
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="ra-test-static-"))
# Bootstrap would check the demo catalog's links on the internet: tests turn it on with a local server.
LINK_CHECK_AFTER_BOOTSTRAP = False
LINK_CHECK_PER_HOST_INTERVAL_SECONDS = 0.0
# Data previews: short caps so the hostile-file tests end in seconds; no fetch from a page view unless a test
# asks (factory distributions point at example.org).
PREVIEW_DEADLINE_SECONDS = 3.0
PREVIEW_TIMEOUT_SECONDS = 2.0
PREVIEW_POLL_SECONDS = 0.05
PREVIEW_ON_VIEW = False
PREVIEW_ALLOW_PRIVATE_HOSTS = True  # the tests' file servers listen on 127.0.0.1
