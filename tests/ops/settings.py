"""Settings for the server processes the operations tests start (gunicorn, Celery worker).

The real settings (via tests/settings.py) plus test-only URLs; unlike the in-process test
settings, tasks go to the real broker whenever REDIS_URL is set.
"""

from tests.settings import *  # noqa: F403
from tests.settings import REDIS_URL

ROOT_URLCONF = "tests.ops.urls"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
