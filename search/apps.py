from django.apps import AppConfig
from django.conf import settings


def _check_search_index() -> dict:
    from .services import index_health

    return dict(index_health())


def _index_not_ready() -> str | None:
    from .services import index_health

    info = index_health()
    return None if info.get("ready") else (info.get("reason") or "search index not ready")


def _check_embedding_model() -> dict:
    from .embeddings import is_loaded

    return {"status": "ok", "loaded": is_loaded(), "model": settings.EMBEDDING_MODEL}


def _refresh_index_gauges() -> None:
    from .metrics import set_index
    from .services import index_health

    info = index_health()
    set_index(version=int(info.get("version") or 0), size=int(info.get("size") or 0))


class SearchConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "search"

    def ready(self) -> None:
        from ops import health, metrics

        from . import receivers  # noqa: F401 - connects the catalog signals

        # With a networked cache the index report (it reads cache statistics) goes under the
        # deadline too; embedded mode keeps it in the request thread (SQLite connections are per thread).
        health.register_check(
            "search_index",
            _check_search_index,
            required=True,
            pooled=lambda: bool(settings.REDIS_URL),
            on_timeout="degraded",  # a slow index report means a slow cache; the database has its own check
        )
        health.register_check("embedding_model", _check_embedding_model)
        health.register_readiness("search_index", _index_not_ready)
        metrics.register_collector("search_index", _refresh_index_gauges)
