from django.apps import AppConfig
from django.conf import settings


class SearchConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "search"

    def ready(self) -> None:
        # Imported here, not at the top: these modules load models, which apps.py may not.
        from ops import health, metrics

        from . import embeddings, indexing, receivers  # noqa: F401 - receivers connects the catalog signals

        # With a networked cache the index report (it reads cache statistics) goes under the
        # deadline too; embedded mode keeps it in the request thread (SQLite connections are per thread).
        health.register_check(
            "search_index",
            indexing.index_health,
            required=True,
            pooled=lambda: bool(settings.REDIS_URL),
            on_timeout="degraded",  # a slow index report means a slow cache; the database has its own check
        )
        health.register_check("embedding_model", embeddings.embedding_model_health)
        health.register_readiness("search_index", indexing.index_unready_reason)
        metrics.register_collector("search_index", indexing.index_gauges_refresh)
