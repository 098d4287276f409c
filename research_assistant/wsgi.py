"""WSGI entry point (gunicorn, and ``manage.py runserver`` through WSGI_APPLICATION).

The search index, the embedding model and the router's arbiter load here, before the server binds its
port (each gunicorn worker imports this module; ``preload_app`` is off), so the first query after start is
as fast as any other (``WARM_UP=0`` skips it). A failure is logged and the server starts anyway: the first
request then loads lazily.
"""

import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "research_assistant.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
application = get_wsgi_application()

from conversation.router import warm_up as router_warm_up  # noqa: E402  (apps are loaded now)
from search.services import search_warm_up  # noqa: E402

log = logging.getLogger(__name__)


def warm_up() -> None:
    try:
        log.info("warm-up: index loaded=%s, router model=%s", search_warm_up(), router_warm_up())
    except Exception:
        log.exception("warm-up failed; serving with lazy loading")


if os.environ.get("WARM_UP", "1").lower() not in {"0", "false", "no"}:
    warm_up()
